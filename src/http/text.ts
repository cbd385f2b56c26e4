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
  return badField(value, path, (v) => typeof v === 'string' && !storable(v));
}

/** The path of the first value `bad` picks (keys of objects are checked as strings too). */
function badField(value: unknown, path: string[], bad: (v: unknown) => boolean): string | undefined {
  if (bad(value)) return path.join('.') || '(body)';
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (bad(key)) return [...path, key.replace(/\0/g, '\\0')].join('.');
    const found = badField(inner, [...path, key], bad);
    if (found) return found;
  }
  return undefined;
}

function check(parts: Array<[where: string, value: unknown]>, bad: (v: unknown) => boolean, message: string): void {
  for (const [where, value] of parts) {
    const field = badField(value, [], bad);
    if (field) throw invalid([{ field: field === '(body)' ? where : field, message }]);
  }
}

/** Each part of a request that may reach an event, checked; throws a 400 naming the first bad field. */
export function assertStorable(parts: Array<[where: string, value: unknown]>): void {
  check(parts, (v) => typeof v === 'string' && !storable(v), 'must not contain NUL characters or unpaired UTF-16 surrogates');
}

/**
 * Refuses numbers that are not finite (`1e999` in JSON, `Infinity` in a query string), which
 * schema validation lets through once coerced.
 */
export function assertFinite(parts: Array<[where: string, value: unknown]>): void {
  check(parts, (v) => typeof v === 'number' && !Number.isFinite(v), 'must be a finite number');
}
