/**
 * Text that PostgreSQL cannot store: a NUL character, or a lone UTF-16 surrogate (which
 * has no UTF-8 form). Such text reaching an append would fail the whole append, and with it
 * every other request of the allocator's turn, so it is refused at the edge.
 */
import { invalid } from '../domain/errors.ts';

/** True when the text can be stored as PostgreSQL `text` / `jsonb`. */
export function storable(text: string): boolean {
  return !text.includes('\0') && text.isWellFormed();
}

/**
 * The path of the first unstorable string (value or object key) in a parsed body, query or
 * params object: `holder`, `accounts.1.login`, `(body)` for a bare string; undefined when
 * all of it can be stored.
 *
 * @example
 * unstorableField({ holder: 'a\u0000b' }) // → 'holder'
 */
export function unstorableField(value: unknown, path: string[] = []): string | undefined {
  const here = () => path.join('.') || '(body)';
  if (typeof value === 'string') return storable(value) ? undefined : here();
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (!storable(key)) return [...path, key.replace(/\0/g, '\\0')].join('.');
    const bad = unstorableField(inner, [...path, key]);
    if (bad) return bad;
  }
  return undefined;
}

/** Each part of a request that may reach an event, checked; throws a 400 naming the first bad field. */
export function assertStorable(parts: Array<[where: string, value: unknown]>): void {
  for (const [where, value] of parts) {
    const field = unstorableField(value);
    if (field) throw invalid([{ field: field === '(body)' ? where : field, message: 'must not contain NUL characters or unpaired UTF-16 surrogates' }]);
  }
}
