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
 * The path of the first value `bad` picks in a parsed body, query or params object (keys of
 * objects are checked as strings too): `holder`, `accounts.1.login`, `(body)` for the whole.
 *
 * @example
 * badField({ holder: 'a\u0000b' }, [], (v) => typeof v === 'string' && !storable(v)) // → 'holder'
 */
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

/**
 * Each part of a request (body, query, params), checked in one walk: text PostgreSQL cannot
 * store, and numbers that are not finite (`1e999` in JSON, `Infinity` in a query string).
 * Throws a 400 naming the first bad field.
 */
export function assertSound(parts: Array<[where: string, value: unknown]>): void {
  for (const [where, value] of parts) {
    let message = '';
    const field = badField(value, [], (v) => {
      if (typeof v === 'string' && !storable(v)) message = 'must not contain NUL characters or unpaired UTF-16 surrogates';
      else if (typeof v === 'number' && !Number.isFinite(v)) message = 'must be a finite number';
      else return false;
      return true;
    });
    if (field) throw invalid([{ field: field === '(body)' ? where : field, message }]);
  }
}

/**
 * A header's value when it came once (as text), else undefined.
 *
 * @example
 * textHeader(request.headers, 'traceparent') // → '00-…-…-01' or undefined
 */
export function textHeader(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The token of an `Authorization` header; the scheme name is case-insensitive (RFC 7235).
 *
 * @example
 * bearerOf('Bearer abc') // → 'abc'
 */
export function bearerOf(header: string | undefined): string | undefined {
  return /^bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}
