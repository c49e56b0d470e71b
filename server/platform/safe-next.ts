/**
 * The page to return to after sign-in, if `value` is a local path: one leading `/` (not `//` nor
 * `/\`, which browsers read as another host), no scheme, no backslash, no whitespace or control
 * characters, at most 2000 characters. Anything else is undefined (the caller uses its default).
 */
export function safeNext(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  if (
    !/^\/(?![/\\])[^\s\\]*$/.test(value) ||
    [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
  )
    return undefined;
  return value;
}
