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
 * objects are checked as strings too), as its parts from the innermost out (`['login', '1',
 * 'accounts']`), `[]` for the whole; undefined when none is bad. The path is built only for
 * a bad value: a sound request allocates nothing here.
 *
 * @example
 * badField({ holder: 'a\u0000b' }, (v) => typeof v === 'string' && !storable(v)) // → ['holder']
 */
function badField(value: unknown, bad: (v: unknown) => boolean): string[] | undefined {
  if (bad(value)) return [];
  if (value === null || typeof value !== 'object') return undefined;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (bad(key)) return [key.replace(/\0/g, '\\0')];
    const found = badField((value as Record<string, unknown>)[key], bad);
    if (found) {
      found.push(key);
      return found;
    }
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
    const path = badField(value, (v) => {
      if (typeof v === 'string' && !storable(v)) message = 'must not contain NUL characters or unpaired UTF-16 surrogates';
      else if (typeof v === 'number' && !Number.isFinite(v)) message = 'must be a finite number';
      else return false;
      return true;
    });
    if (path) throw invalid([{ field: path.length ? path.reverse().join('.') : where, message }]);
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
