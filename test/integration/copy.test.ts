import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { copyRows, formatOf, insertByCopy, upsertByCopy, type Format } from '../../src/projections/copy.ts';
import { binaryChunks, UnfitForBinary } from '../../src/projections/copy-binary.ts';
import type { Row } from '../../src/projections/projection.ts';
import { testDatabase, type TestDatabase } from '../support/db.ts';

const COLUMNS = ['n', 'id', 'big', 'f', 'yes', 'day', 'at', 'note', 'doc', 'raw', 'tags', 'nums', 'ids'];
const TABLE = `n int4 PRIMARY KEY, id uuid, big int8, f float8, yes bool, day date, at timestamptz, note text,
  doc jsonb, raw json, tags text[], nums int4[], ids uuid[]`;

/** Values of every type the read models use, as the folds make them and as pg reads them back. */
const fitting: Row[] = [
  {
    n: 1, id: '068a95a6-663a-8a52-a166-74e25e223622', big: '9007199254740991', f: 0.1, yes: true, day: '2024-02-29',
    at: '2026-12-05T10:20:30.400Z', note: 'tab\there, new\nline, back\\slash, \\N', doc: { a: [1, 'x', null], ü: '\t' }, raw: { b: 1 },
    tags: ['a,b', 'q"t', '', null, 'NULL', 'ü', '{x}'], nums: [1, -2, null], ids: ['1DBE0855-1A06-8265-A95C-B52B9A06867F'],
  },
  {
    n: -2147483648, id: '1DBE0855-1A06-8265-A95C-B52B9A06867F', big: -5, f: -1e300, yes: false, day: '1999-12-31',
    at: '1999-12-31T23:59:59.999Z', note: 'ünïcödé 😀 '.repeat(10), doc: [], raw: 'a string', tags: [], nums: [], ids: [],
  },
  {
    n: 2147483647, big: '12', f: Number.NaN, day: new Date('2026-03-01T00:00:00Z'), at: new Date('1970-01-01T00:00:00.001Z'),
    note: 'x'.repeat(100), doc: 'text as JSON', raw: [1, 2], tags: ['only'],
  },
  { n: 0, f: Number.POSITIVE_INFINITY, at: '2026-12-05T10:20:30Z', note: 5, doc: 5 },
  { n: 3, f: -0, note: new Date('2026-12-05T01:02:03.004Z'), doc: true },
  { n: 4 },
];

/** Values the binary format cannot write as the text format would have them read. */
const unfit: Row[] = [
  { n: 10, at: '2026-12-05T10:20:30.123456Z' },
  { n: 11, at: '2026-12-05T10:20:30+01:00' },
  { n: 12, at: '2026-02-30T00:00:00.000Z' },
  { n: 13, id: '068a95a6663a8a52a16674e25e223622' },
  { n: 14, big: '9007199254740993' },
  { n: 15, f: '1.5' },
  { n: 16, yes: 't' },
  { n: 17, day: '2026-12-05T10:20:30Z' },
  { n: 18, tags: [['nested']] },
  { n: 19, nums: [1.5] },
  { n: 20, at: '0050-06-01T00:00:00.000Z', day: '0099-12-31' },
];

describe('COPY in the binary format', () => {
  let db: TestDatabase;
  let format: Format;
  before(async () => {
    db = await testDatabase({ migrate: false });
    for (const t of ['kinds', 'by_binary', 'by_text']) await db.pool.query(`CREATE TABLE ${t} (${TABLE})`);
    format = await formatOf(db.pool, 'kinds', COLUMNS);
  });
  after(async () => db.drop());

  /** COPY needs a connection of its own (a pool's `query` takes no stream). */
  const copy = async (table: string, rows: Row[], options?: { format: Format }) => {
    const client = await db.pool.connect();
    try {
      await copyRows(client, table, COLUMNS, rows, options);
    } finally {
      client.release();
    }
  };
  /** Each row as PostgreSQL prints it (exact to the microsecond, -0 apart from 0), by `n`. */
  const read = async (table: string) =>
    (await db.pool.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t ORDER BY n`)).rows.map((r) => r.row);
  const textFormat = () => ({ ...format, encoders: undefined });

  it('has an encoder for every type the read models use, and writes each value as the text format does', async () => {
    assert.ok(format.encoders, 'every column has a binary encoder');
    const chunks = [...binaryChunks(fitting, COLUMNS, format.encoders!)];
    assert.equal(chunks[0]!.subarray(0, 11).toString('latin1'), 'PGCOPY\n\xff\r\n\0');
    await copy('by_binary', fitting);
    await copy('by_text', fitting, { format: textFormat() });
    const text = await read('by_text');
    assert.equal(text.length, fitting.length);
    assert.deepEqual(await read('by_binary'), text);
  });

  it('writes many rows across chunks', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({ ...fitting[i % 2]!, n: 1000 + i }));
    assert.ok([...binaryChunks(many, COLUMNS, format.encoders!)].length > 1);
    await copy('by_binary', many);
    await copy('by_text', many, { format: textFormat() });
    assert.deepEqual(await read('by_binary'), await read('by_text'));
  });

  it('leaves a value it cannot write exactly to the text format, and the rows still go in', async () => {
    for (const row of unfit) assert.throws(() => [...binaryChunks([row], COLUMNS, format.encoders!)], UnfitForBinary, JSON.stringify(row));
    // The column, never the value, is named: PostgreSQL's log keeps a failed COPY's reason.
    assert.throws(() => [...binaryChunks([unfit[0]!], COLUMNS, format.encoders!)], (e: Error) => e.message.includes('at') && !e.message.includes('2026'));
    const writable = unfit.filter((r) => r.n !== 12 && r.n !== 18 && r.n !== 19);
    await db.pool.query('TRUNCATE by_binary, by_text');
    await copy('by_binary', [...fitting, ...writable]);
    await copy('by_text', [...fitting, ...writable], { format: textFormat() });
    assert.deepEqual(await read('by_binary'), await read('by_text'));
    assert.equal((await read('by_binary')).length, fitting.length + writable.length);
  });

  it('falls back inside a transaction without undoing what the transaction did before', async () => {
    const writable = unfit.filter((r) => r.n === 10 || r.n === 13);
    const client = await db.pool.connect();
    try {
      await db.pool.query('TRUNCATE by_binary, by_text');
      await client.query('BEGIN');
      await client.query("INSERT INTO by_binary (n, note) VALUES (99, 'before')");
      await insertByCopy(client, 'by_binary', COLUMNS, [...fitting, ...writable], '(n) DO NOTHING');
      await upsertByCopy(client, 'by_binary', COLUMNS, writable.map((r) => ({ ...r, note: 'upserted' })), '(n) DO UPDATE SET note = EXCLUDED.note');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await db.pool.query("INSERT INTO by_text (n, note) VALUES (99, 'before')");
    await copy('by_text', [...fitting, ...writable.map((r) => ({ ...r, note: 'upserted' }))], { format: textFormat() });
    assert.deepEqual(await read('by_binary'), await read('by_text'));
  });
});
