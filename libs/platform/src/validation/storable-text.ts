/**
 * Characters no text a service stores or publishes may hold: the C0 controls other than tab, line
 * feed and carriage return, DEL, and the C1 controls. PostgreSQL cannot store NUL at all (`invalid
 * byte sequence for encoding "UTF8": 0x00`), and the others are invisible, corrupt logs and terminals
 * and belong in no name, case number or note. Tab, LF and CR stay allowed: notes and grounds are
 * legitimately multi-line, PostgreSQL stores them, and the exchange's normaliser accepts them too.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSTORABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- as above, every occurrence
const UNSTORABLE_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

const codePoint = (char: string) =>
  `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why `text` cannot be stored, naming the first offending character, or undefined when it can.
 * The wording follows the exchange's normaliser, which refuses the same characters.
 */
export function unstorableText(text: string): string | undefined {
  const found = UNSTORABLE.exec(text);
  if (!found) return undefined;
  return `contains a control character (${codePoint(found[0])} at position ${found.index}; U+0000-U+001F other than tab and newline, and U+007F-U+009F, are refused)`;
}

/** `text` with its control characters written as `\uXXXX`, safe to show in a field path or a log line. */
export const printable = (text: string) => text.replace(UNSTORABLE_ALL, (c) => `\\u${codePoint(c).slice(2)}`);
