import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Row } from './projection.ts';

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

/** The kind of each of a table's columns, from the catalog. */
async function kindsOf(client: Queryable, table: string, columns: string[]): Promise<ColumnKind[]> {
  const { rows } = await client.query<{ name: string; category: string; type: string }>(
    `SELECT a.attname AS name, t.typcategory AS category, t.typname AS type FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`, [table],
  );
  const byName = new Map(rows.map((r) => [r.name, r.category === 'A' ? 'array' as const : r.type === 'json' || r.type === 'jsonb' ? 'json' as const : 'text' as const]));
  return columns.map((c) => byName.get(c) ?? 'text');
}

/**
 * Writes rows into a table with `COPY … FROM STDIN`: the fastest way into PostgreSQL.
 * A row's values are as the read models hold them (JSON-like: strings for times, arrays
 * for array columns, objects for jsonb).
 *
 * @example
 * await copyRows(client, 'rm_accounts_next', ['account_id', 'login'], rows);
 */
export async function copyRows(client: Queryable, table: string, columns: string[], rows: Iterable<Row>, known?: ColumnKind[]): Promise<void> {
  const kinds = known ?? await kindsOf(client, table, columns);
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
  await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
}

/** The column kinds of the tables written in batches, by table and columns. */
const stagedKinds = new Map<string, ColumnKind[]>();

async function kindsFor(db: Queryable, table: string, columns: string[]): Promise<ColumnKind[]> {
  const id = `${table}:${columns.join(',')}`;
  let kinds = stagedKinds.get(id);
  if (!kinds) stagedKinds.set(id, (kinds = await kindsOf(db, table, columns)));
  return kinds;
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
  const kinds = await kindsFor(db, table, columns);
  await db.query('SAVEPOINT insert_by_copy');
  try {
    await copyRows(db, table, columns, rows, kinds);
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
 * PostgreSQL reads COPY's text several times faster than a JSON parameter, so a large
 * batch costs it a fraction of `json_populate_recordset`'s work. Runs inside the caller's
 * transaction (outside one, the staged rows would be gone before the insert).
 *
 * @example
 * await upsertByCopy(client, 'rm_accounts', ['account_id', 'login'], rows, '(account_id) DO UPDATE SET login = EXCLUDED.login');
 */
export async function upsertByCopy(db: Queryable, table: string, columns: string[], rows: Row[], onConflict: string): Promise<void> {
  const stage = `${table}_staged`;
  await db.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (LIKE ${table}) ON COMMIT DELETE ROWS`);
  await copyRows(db, stage, columns, rows, await kindsFor(db, table, columns));
  const cols = columns.join(', ');
  await db.query(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM ${stage} ON CONFLICT ${onConflict}`);
}
