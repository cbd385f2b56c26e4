import type { Row } from './projection.ts';

/**
 * COPY's binary format for read-model rows. PostgreSQL takes binary values without parsing
 * them (a time is eight bytes, not text to read), which halves its work for a table of
 * accounts. Every value is written as the text format would have it read (a time as its
 * instant, a JSON value as its text): when one cannot be exactly (a time with microseconds,
 * a uuid spelt otherwise), `binaryChunks` gives up and the caller writes the rows as text;
 * a table with a type not below is written as text (`encodersOf`).
 */

/** A column's type: its name in `pg_type` (`int4`, `_text`…) and, for an array, its element's oid and name. */
export interface ColumnType {
  type: string;
  element?: { oid: number; type: string };
}

/** Writes one value, making room for it first; false when it cannot be written exactly (the rows then go as text). */
export type Encoder = (w: Writer, v: unknown) => boolean;

/** An encoder of an array's elements, with the most bytes an element can take. */
interface Element {
  encode: Encoder;
  bound: (v: unknown) => number;
}

const CHUNK = 65_536;
/** 2000-01-01, PostgreSQL's epoch for times and dates, in ms since 1970. */
const EPOCH_MS = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;
const INTEGER = /^-?\d{1,19}$/;

/** Buffers filled in turn; a value never straddles two. */
class Writer {
  readonly chunks: Buffer[] = [];
  buf = Buffer.allocUnsafe(CHUNK);
  at = 0;

  room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    this.chunks.push(this.buf.subarray(0, this.at));
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK, n));
    this.at = 0;
  }

  int16(n: number): void {
    this.at = this.buf.writeInt16BE(n, this.at);
  }

  int32(n: number): void {
    this.at = this.buf.writeInt32BE(n, this.at);
  }

  /** A whole number of up to 53 bits as eight bytes. */
  int64(n: number): void {
    const high = Math.floor(n / 2 ** 32);
    this.at = this.buf.writeInt32BE(high, this.at);
    this.at = this.buf.writeUInt32BE(n - high * 2 ** 32, this.at);
  }

  /** A string as UTF-8 after its length (short ASCII by hand: cheaper than a call into the runtime). */
  text(s: string): void {
    const { buf } = this;
    const start = this.at + 4;
    let at = start;
    if (s.length <= 64) {
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) {
          at = -1;
          break;
        }
        buf[at++] = c;
      }
    }
    if (at !== start + s.length) at = start + buf.write(s, start, 'utf8');
    buf.writeInt32BE(at - start, this.at);
    this.at = at;
  }

  done(): Buffer[] {
    if (this.at) this.chunks.push(this.buf.subarray(0, this.at));
    return this.chunks;
  }
}

/** The text the text format writes for a value of a text column. */
const asText = (v: unknown) => (typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : String(v));

/** A value of `bytes` bytes after its length. */
const fixed = (bytes: number, put: (w: Writer, v: unknown) => boolean): Element => ({
  encode: (w, v) => {
    w.room(4 + bytes);
    w.int32(bytes);
    return put(w, v);
  },
  bound: () => 4 + bytes,
});

const wholeNumber = (v: unknown) => (typeof v === 'string' && INTEGER.test(v) ? Number(v) : v);

const int4 = fixed(4, (w, v) => {
  const n = wholeNumber(v);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) return false;
  w.int32(n);
  return true;
});

const int8 = fixed(8, (w, v) => {
  const n = wholeNumber(v);
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) return false;
  w.int64(n);
  return true;
});

const float8 = fixed(8, (w, v) => {
  if (typeof v !== 'number') return false;
  // -0 as 0: its text is "0".
  w.at = w.buf.writeDoubleBE(v === 0 ? 0 : v, w.at);
  return true;
});

const bool = fixed(1, (w, v) => {
  if (typeof v !== 'boolean') return false;
  w.buf[w.at++] = v ? 1 : 0;
  return true;
});

/** Digits of `s` from `from` to `to` as a number; NaN when one is not a digit. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Milliseconds since 1970 of `YYYY-MM-DD` at the start of `s`, in UTC; NaN when it is not a day of the calendar (or before 1000). */
function dayOf(s: string): number {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return Number.NaN;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 7);
  const day = digits(s, 8, 10);
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  // Date.UTC reads years 0–99 as 1900–1999: those (and the rest of the first millennium) go as text.
  if (!(year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1]! + leap)) return Number.NaN;
  return Date.UTC(year, month - 1, day);
}

/**
 * Milliseconds since 1970 of a time as the text format reads it; NaN when it cannot be
 * exact. Strings in `toISOString`'s form (`2026-12-05T10:20:30.400Z`, the fraction
 * optional) are read by hand; other forms are left to the text format.
 */
function instant(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v !== 'string' || (v.length !== 20 && v.length !== 24) || v.charCodeAt(v.length - 1) !== 90) return Number.NaN;
  if (v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58 || (v.length === 24 && v.charCodeAt(19) !== 46)) return Number.NaN;
  const hours = digits(v, 11, 13);
  const minutes = digits(v, 14, 16);
  const seconds = digits(v, 17, 19);
  const ms = v.length === 24 ? digits(v, 20, 23) : 0;
  if (!(hours < 24 && minutes < 60 && seconds < 60 && ms >= 0)) return Number.NaN;
  return dayOf(v) + ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms;
}

/** Microseconds since 2000. */
const timestamptz = fixed(8, (w, v) => {
  const ms = instant(v);
  if (!Number.isFinite(ms)) return false;
  w.int64((ms - EPOCH_MS) * 1000);
  return true;
});

/** Days since 2000. A Date is read as the text format has it: its ISO text, whose day is the UTC one. */
const date = fixed(4, (w, v) => {
  const ms = typeof v === 'string' ? (v.length === 10 ? dayOf(v) : Number.NaN) : instant(v);
  if (!Number.isFinite(ms)) return false;
  w.int32(Math.floor((ms - EPOCH_MS) / DAY_MS));
  return true;
});

/** Each hexadecimal digit's value by character code; -1 for the rest. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
const hex = (s: string, i: number) => HEX[s.charCodeAt(i)] ?? -1;

/** A uuid spelt `8-4-4-4-12`, in either case (PostgreSQL reads other spellings too: those go as text). */
const uuid = fixed(16, (w, v) => {
  if (typeof v !== 'string' || v.length !== 36) return false;
  const { buf } = w;
  let at = w.at;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (v.charCodeAt(i) !== 45) return false;
      i -= 1;
      continue;
    }
    const high = hex(v, i);
    const low = hex(v, i + 1);
    if (high < 0 || low < 0) return false;
    buf[at++] = high * 16 + low;
  }
  w.at = at;
  return true;
});

/** UTF-8 takes at most three bytes for each UTF-16 unit. */
const text: Element = {
  encode: (w, v) => {
    const s = asText(v);
    w.room(4 + 3 * s.length);
    w.text(s);
    return true;
  },
  bound: (v) => 4 + 3 * asText(v).length,
};

/** JSON's text; for jsonb after a version byte. */
const json = (version: boolean): Encoder => (w, v) => {
  const s = JSON.stringify(v) as string | undefined;
  if (s === undefined) return false;
  w.room(5 + 3 * s.length);
  const start = w.at;
  w.at += 4;
  if (version) w.buf[w.at++] = 1;
  w.at += w.buf.write(s, w.at, 'utf8');
  w.buf.writeInt32BE(w.at - start - 4, start);
  return true;
};

/** The types an array may hold. */
const elements: Record<string, Element> = { int4, int8, float8, bool, timestamptz, date, uuid, text };
const scalars: Record<string, Encoder> = {
  ...Object.fromEntries(Object.entries(elements).map(([type, e]) => [type, e.encode])),
  jsonb: json(true), json: json(false),
};

const blank = (e: unknown) => e === null || e === undefined;

/** A one-dimensional array: dimensions, whether it holds nulls, its element type, then each element. */
const array = (element: Element, oid: number): Encoder => (w, v) => {
  if (!Array.isArray(v)) return false;
  const items = v as unknown[];
  let bound = 24;
  let nulls = 0;
  for (const e of items) {
    if (blank(e)) nulls = 1;
    bound += blank(e) ? 4 : element.bound(e);
  }
  w.room(bound);
  const start = w.at;
  w.at += 4;
  w.int32(items.length ? 1 : 0);
  w.int32(nulls);
  w.int32(oid);
  if (items.length) {
    w.int32(items.length);
    w.int32(1);
  }
  for (const e of items) {
    if (blank(e)) w.int32(-1);
    else if (Array.isArray(e) || !element.encode(w, e)) return false;
  }
  w.buf.writeInt32BE(w.at - start - 4, start);
  return true;
};

/**
 * The encoders of a table's columns, or undefined when one has a type this file does not write.
 *
 * @example
 * const encoders = encodersOf([{ type: 'uuid' }, { type: '_text', element: { oid: 25, type: 'text' } }]);
 */
export function encodersOf(types: ColumnType[]): Encoder[] | undefined {
  const encoders: Encoder[] = [];
  for (const { type, element } of types) {
    const encoder = element ? elements[element.type] && array(elements[element.type]!, element.oid) : scalars[type];
    if (!encoder) return undefined;
    encoders.push(encoder);
  }
  return encoders;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Thrown by `binaryChunks` at a value it cannot write exactly: the COPY fails, and the rows go again as text. */
export class UnfitForBinary extends Error {
  constructor(column: string) {
    // The column only: never the value, which PostgreSQL's log would keep.
    super(`column ${column} has a value for the text format only`);
  }
}

/**
 * Rows in COPY's binary format (header, one tuple each, trailer) in chunks of about 64 KB,
 * made as they are asked for, so that PostgreSQL reads one while the next is written.
 * Throws `UnfitForBinary` at a value it cannot write exactly as the text format would have
 * it read.
 *
 * @example
 * await pipeline(Readable.from(binaryChunks(rows, columns, encoders)), client.query(copyFrom(`COPY t (…) FROM STDIN (FORMAT binary)`)));
 */
export function* binaryChunks(rows: readonly Row[], columns: string[], encoders: Encoder[]): Generator<Buffer> {
  const w = new Writer();
  w.room(SIGNATURE.length + 8);
  w.at += SIGNATURE.copy(w.buf, w.at);
  w.int32(0);
  w.int32(0);
  for (const row of rows) {
    w.room(2);
    w.int16(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const v = row[columns[i]!];
      if (v === null || v === undefined) {
        w.room(4);
        w.int32(-1);
      } else if (!encoders[i]!(w, v)) throw new UnfitForBinary(columns[i]!);
    }
    if (w.chunks.length) yield* w.chunks.splice(0);
  }
  w.room(2);
  w.int16(-1);
  yield* w.done();
}
