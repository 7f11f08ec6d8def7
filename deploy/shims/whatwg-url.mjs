// node-fetch 2 (under @kubernetes/client-node) takes `Url.URL || whatwgUrl.URL`: Node's own URL
// always wins, so the whatwg-url package (and its 259 KB Unicode table, tr46) is never used.
// The bundle maps it to this module instead of carrying it into every cold start.
export default { URL: globalThis.URL };
