/**
 * Query parameters as kube-apiserver decodes them into ListOptions and friends. A boolean follows
 * k8s.io/apimachinery/pkg/runtime/conversion.go (Convert_Slice_string_To_bool): absent is false,
 * "0" or "false" in any case is false, and every other value — "true", "True", "1", "yes", even
 * an empty `?watch=` — is true. It is not strconv.ParseBool: no value is rejected.
 */
export function queryBool(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null) return false;
  return value !== '0' && value.toLowerCase() !== 'false';
}
