/**
 * The one line reader of text imports: lines split on LF or CRLF, trimmed; blank lines and
 * `#` comments skipped; each kept line parsed with its 1-based number.
 *
 * @example
 * readLines('a:b\n# note\nc:d', (line, n) => ({ n, line })) // → [{ n: 1, line: 'a:b' }, { n: 3, line: 'c:d' }]
 */
export function readLines<T>(text: string, parse: (line: string, number: number) => T): T[] {
  return text.split(/\r?\n/).flatMap((raw, i) => {
    const line = raw.trim();
    return !line || line.startsWith('#') ? [] : [parse(line, i + 1)];
  });
}
