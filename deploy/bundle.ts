import { fileURLToPath } from 'node:url';

/**
 * How every function is bundled (serverless-esbuild hands these to esbuild; bench/bundle.ts builds
 * the same to break the bundle down). `configJson` is the validated configuration, inlined.
 */
export function bundleOptions(configJson: string) {
  return {
    bundle: true,
    minify: true,
    // No source map in the zip: it was two thirds of it, and --enable-source-maps slowed every cold start.
    sourcemap: false,
    format: 'esm' as const,
    platform: 'node' as const,
    target: 'node24',
    mainFields: ['module', 'main'],
    // Lambda bundles are ESM; some CommonJS dependencies still call require().
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    // Never loaded at run time (see the shim): 281 KB less to compile on every cold start.
    alias: { 'whatwg-url': fileURLToPath(new URL('./shims/whatwg-url.mjs', import.meta.url)) },
    // The validated configuration is inlined at bundle time (no size limit, unlike environment variables).
    define: { 'process.env.LIFEGUARD_CONFIG_JSON': JSON.stringify(configJson) },
  };
}
