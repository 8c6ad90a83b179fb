/** Route segments (global prefix, module path...) joined with single slashes, without leading or trailing ones. */
export function joinRoutePath(...segments: Array<string | undefined>): string {
  return segments
    .map((segment) => (segment ?? '').replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
}
