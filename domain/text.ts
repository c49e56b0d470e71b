/**
 * Control characters in text from outside (a form, the JSON API, an imported file). A name is one
 * line: every C0 and C1 control character (U+0000–U+001F, U+007F–U+009F) is refused, tab and line
 * breaks included. A note may have several lines: tab, LF and CR are allowed, the rest refused.
 * NUL in particular is refused everywhere (PostgreSQL cannot store it; exports and pages break on it).
 */

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** The problem with a text's characters, or null: "contains a control character (U+0000)" / "contains a line break or tab". */
export function controlCharProblem(text: string, opts: { multiline?: boolean } = {}): string | null {
  // eslint-disable-next-line no-control-regex
  const m = /[\u0000-\u001f\u007f-\u009f]/.exec(opts.multiline ? text.replace(/[\t\n\r]/g, '') : text);
  if (!m) return null;
  if (!opts.multiline && (m[0] === '\t' || m[0] === '\n' || m[0] === '\r')) {
    // a NUL elsewhere is the worse problem: name it first
    // eslint-disable-next-line no-control-regex
    const other = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.exec(text);
    return other ? `contains a control character (${codePoint(other[0])})` : 'contains a line break or tab';
  }
  return `contains a control character (${codePoint(m[0])})`;
}
