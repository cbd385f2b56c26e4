import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Row } from './projection.ts';
import { binaryChunks, encodersOf, UnfitForBinary, type Encoder } from './copy-binary.ts';

/** How a column's value is written: as an array literal, as JSON, or as its text. */
type ColumnKind = 'array' | 'json' | 'text';

/** The characters COPY's text format escapes: backslash, tab, newline, carriage return. */
const SPECIAL = /[\\\t\n\r]/;
const EVERY_SPECIAL = new RegExp(SPECIAL.source, 'g');
/** A value as COPY text: its special characters escaped (most text has none: it is tested first). */
const escapeField = (s: string) =>
  (SPECIAL.test(s) ? s.replace(EVERY_SPECIAL, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : s);

/** A PostgreSQL array literal of scalars: every element quoted. */
const arrayLiteral = (values: unknown[]) =>
  `{${values.map((v) => (v === null || v === undefined ? 'NULL' : `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`)).join(',')}}`;

/** One value as COPY text; `\N` for null. A time read back from the table (a Date) as ISO text. */
function field(value: unknown, kind: ColumnKind): string {
  if (value === null || value === undefined) return '\\N';
  if (kind === 'json') return escapeField(JSON.stringify(value));
  if (kind === 'array') return escapeField(arrayLiteral(value as unknown[]));
  if (typeof value === 'string') return escapeField(value);
  return escapeField(value instanceof Date ? value.toISOString() : String(value));
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/** How a table's columns are written: each one's kind in the text format, and encoders for the binary one when every type has one. */
export interface Format {
  kinds: ColumnKind[];
  encoders?: Encoder[];
}

/**
 * The format of a table's columns, from the catalog.
 *
 * @example
 * const { encoders } = await formatOf(client, 'rm_accounts', ['account_id', 'login']); // undefined: written as text
 */
export async function formatOf(client: Queryable, table: string, columns: string[]): Promise<Format> {
  const { rows } = await client.query<{ name: string; category: string; type: string; element_oid: number; element_type: string | null }>(
    `SELECT a.attname AS name, t.typcategory AS category, t.typname AS type, t.typelem::int AS element_oid, e.typname AS element_type
     FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`, [table],
  );
  const byName = new Map(rows.map((r) => [r.name, r]));
  const described = columns.map((c) => byName.get(c));
  const kinds = described.map((r) => (!r ? 'text' as const : r.category === 'A' ? 'array' as const : r.type === 'json' || r.type === 'jsonb' ? 'json' as const : 'text' as const));
  const encoders = described.every((r) => r)
    ? encodersOf(described.map((r) => ({ type: r!.type, element: r!.element_type ? { oid: r!.element_oid, type: r!.element_type } : undefined })))
    : undefined;
  return { kinds, encoders };
}

/**
 * Writes rows into a table with `COPY … FROM STDIN`: the fastest way into PostgreSQL. In
 * the binary format (`copy-binary.ts`), which PostgreSQL reads at half the cost, when the
 * table's types allow; should a value not fit it, that COPY fails and the rows go as text
 * (inside a transaction, back from `savepoint`, which the caller has set). A row's values
 * are as the read models hold them (JSON-like: strings for times, arrays for array columns,
 * objects for jsonb) or as read back from the table.
 *
 * @example
 * await copyRows(client, 'rm_accounts_next', ['account_id', 'login'], rows);
 */
export async function copyRows(
  client: Queryable, table: string, columns: string[], rows: readonly Row[], options: { format?: Format; savepoint?: string } = {},
): Promise<void> {
  const { kinds, encoders } = options.format ?? await formatOf(client, table, columns);
  const into = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
  if (encoders) {
    try {
      await pipeline(Readable.from(binaryChunks(rows, columns, encoders)), client.query(copyFrom(`${into} (FORMAT binary)`)));
      return;
    } catch (error) {
      if (!(error instanceof UnfitForBinary)) throw error;
      if (options.savepoint) await client.query(`ROLLBACK TO SAVEPOINT ${options.savepoint}`);
    }
  }
  function* lines(): Generator<string> {
    let chunk = '';
    for (const row of rows) {
      let line = field(row[columns[0]!], kinds[0]!);
      for (let i = 1; i < columns.length; i++) line += `\t${field(row[columns[i]!], kinds[i]!)}`;
      chunk += `${line}\n`;
      if (chunk.length >= 65_536) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(lines()), client.query(copyFrom(into)));
}

/** The formats of the tables written in batches, by table and columns. */
const formats = new Map<string, Format>();

async function formatFor(db: Queryable, table: string, columns: string[]): Promise<Format> {
  const id = `${table}:${columns.join(',')}`;
  let format = formats.get(id);
  if (!format) formats.set(id, (format = await formatOf(db, table, columns)));
  return format;
}

/**
 * Inserts rows the table is not expected to hold: COPY straight into the table, which
 * costs PostgreSQL half of staging the rows first. When one is there after all (a replay
 * brings a row of an insert-only read model again), COPY fails, is undone back to a
 * savepoint, and the rows go through `upsertByCopy` with `onConflict`. Runs inside the
 * caller's transaction.
 *
 * @example
 * await insertByCopy(client, 'rm_audit', ['position', 'stream'], rows, '(position) DO NOTHING');
 */
export async function insertByCopy(db: Queryable, table: string, columns: string[], rows: Row[], onConflict: string): Promise<void> {
  const format = await formatFor(db, table, columns);
  await db.query('SAVEPOINT insert_by_copy');
  try {
    await copyRows(db, table, columns, rows, { format, savepoint: 'insert_by_copy' });
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await db.query('ROLLBACK TO SAVEPOINT insert_by_copy');
    return upsertByCopy(db, table, columns, rows, onConflict);
  }
  await db.query('RELEASE SAVEPOINT insert_by_copy');
}

/**
 * Inserts or updates many rows at once: COPY into a temporary table like `table` (made
 * once per connection, emptied at commit), then one `INSERT … SELECT … ON CONFLICT`.
 * PostgreSQL reads COPY several times faster than a JSON parameter, so a large
 * batch costs it a fraction of `json_populate_recordset`'s work. Runs inside the caller's
 * transaction (outside one, the staged rows would be gone before the insert).
 *
 * @example
 * await upsertByCopy(client, 'rm_accounts', ['account_id', 'login'], rows, '(account_id) DO UPDATE SET login = EXCLUDED.login');
 */
export async function upsertByCopy(db: Queryable, table: string, columns: string[], rows: Row[], onConflict: string): Promise<void> {
  const stage = `${table}_staged`;
  await db.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (LIKE ${table}) ON COMMIT DELETE ROWS`);
  await db.query('SAVEPOINT upsert_by_copy');
  await copyRows(db, stage, columns, rows, { format: await formatFor(db, table, columns), savepoint: 'upsert_by_copy' });
  const cols = columns.join(', ');
  await db.query(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM ${stage} ON CONFLICT ${onConflict}`);
}
