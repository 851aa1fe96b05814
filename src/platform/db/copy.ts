// PostgreSQL's COPY text format, for the bulk writers (subscriber imports, event ingestion): on a
// PostgreSQL server a COPY costs the database less per row than an INSERT of the same rows sent
// as one JSON parameter, and the client builds no JSON document of the batch.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

import type { DatabaseHandle } from './client.ts';

const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
export function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (char) => COPY_ESCAPES[char] ?? char)
    : value;
}

/** `copyText`, or COPY's NULL marker. */
export function copyNullable(value: string | null): string {
  return value === null ? '\\N' : copyText(value);
}

/** A JSON value as a jsonb field (JSON.stringify never writes a raw tab or newline). */
export function copyJson(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const json = JSON.stringify(value);
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/**
 * Rows in COPY's binary format ("Binary Format" in PostgreSQL's COPY reference): a header, then
 * per row a field count and each field as its length and its bytes in network order, then a
 * trailer. Numbers are written as the server stores them, never turned into text and parsed
 * back, which for a million rows of floats is most of a text COPY's cost on both sides. Each
 * value must be of the column's exact type (int2, int4, float8, uuid, text).
 */
export class BinaryCopyWriter {
  private buffer = Buffer.allocUnsafe(1 << 20);
  private offset = 0;

  constructor() {
    this.ensure(19);
    this.offset += this.buffer.write('PGCOPY\n\xff\r\n\0', this.offset, 'latin1');
    this.offset = this.buffer.writeInt32BE(0, this.offset); // flags
    this.offset = this.buffer.writeInt32BE(0, this.offset); // header extension length
  }

  row(fields: number): this {
    this.ensure(2);
    this.offset = this.buffer.writeInt16BE(fields, this.offset);
    return this;
  }

  null(): this {
    this.ensure(4);
    this.offset = this.buffer.writeInt32BE(-1, this.offset);
    return this;
  }

  int2(value: number): this {
    this.ensure(6);
    this.offset = this.buffer.writeInt32BE(2, this.offset);
    this.offset = this.buffer.writeInt16BE(value, this.offset);
    return this;
  }

  int4(value: number): this {
    this.ensure(8);
    this.offset = this.buffer.writeInt32BE(4, this.offset);
    this.offset = this.buffer.writeInt32BE(value, this.offset);
    return this;
  }

  float8(value: number | null): this {
    if (value === null) return this.null();
    this.ensure(12);
    this.offset = this.buffer.writeInt32BE(8, this.offset);
    this.offset = this.buffer.writeDoubleBE(value, this.offset);
    return this;
  }

  /** A uuid in its usual text form (8-4-4-4-12 hexadecimal digits). */
  uuid(value: string): this {
    this.ensure(20);
    this.offset = this.buffer.writeInt32BE(16, this.offset);
    const written = this.buffer.write(value.replaceAll('-', ''), this.offset, 'hex');
    if (written !== 16) throw new Error(`Not a uuid: ${value}`);
    this.offset += 16;
    return this;
  }

  /** A uuid as its 16 bytes, at `offset` in `source`. */
  uuidBytes(source: Buffer, offset: number): this {
    this.ensure(20);
    this.offset = this.buffer.writeInt32BE(16, this.offset);
    this.offset += source.copy(this.buffer, this.offset, offset, offset + 16);
    return this;
  }

  text(value: string | null): this {
    if (value === null) return this.null();
    const length = Buffer.byteLength(value);
    this.ensure(4 + length);
    this.offset = this.buffer.writeInt32BE(length, this.offset);
    this.offset += this.buffer.write(value, this.offset, 'utf8');
    return this;
  }

  /** The bytes written since the last take (the trailer too when `end`). */
  take(end = false): Buffer {
    if (end) {
      this.ensure(2);
      this.offset = this.buffer.writeInt16BE(-1, this.offset);
    }
    const bytes = Buffer.from(this.buffer.subarray(0, this.offset));
    this.offset = 0;
    return bytes;
  }

  private ensure(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}

/**
 * Reads rows in COPY's binary format (what `COPY (…) TO … WITH (FORMAT binary)` writes): call
 * `nextRow()`, then one reader per column in the query's order and types.
 */
export class BinaryCopyReader {
  private readonly bytes: Buffer;
  private offset = 19; // the signature, the flags and the (empty) header extension

  constructor(bytes: Buffer) {
    this.bytes = bytes;
    if (bytes.length < 21 || bytes.toString('latin1', 0, 11) !== 'PGCOPY\n\xff\r\n\0') {
      throw new Error('Not COPY binary data');
    }
    this.offset += bytes.readInt32BE(15);
  }

  /** Moves to the next row; false after the last. */
  nextRow(): boolean {
    const fields = this.bytes.readInt16BE(this.offset);
    this.offset += 2;
    return fields !== -1;
  }

  int4(): number {
    this.field(4);
    const value = this.bytes.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  float8(): number {
    this.field(8);
    const value = this.bytes.readDoubleBE(this.offset);
    this.offset += 8;
    return value;
  }

  /** A uuid in its usual text form. */
  uuid(): string {
    this.field(16);
    const hex = this.bytes.toString('hex', this.offset, this.offset + 16);
    this.offset += 16;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** A uuid's 16 bytes, copied into `target` at `offset` (no string made). */
  uuidBytes(target: Buffer, offset: number): void {
    this.field(16);
    this.bytes.copy(target, offset, this.offset, this.offset + 16);
    this.offset += 16;
  }

  private field(length: number): void {
    const actual = this.bytes.readInt32BE(this.offset);
    if (actual !== length) throw new Error(`A ${length}-byte field was ${actual} bytes (or null)`);
    this.offset += 4;
  }
}

export interface CopyOptions {
  /** The rows are in COPY's binary format (BinaryCopyWriter), not text. */
  binary?: boolean;
  /**
   * COPY … WITH (FREEZE): rows written frozen, sparing the table's first readers and vacuum a
   * pass over them. Only into a table created in the same transaction.
   */
  freeze?: boolean;
}

function copyStatement(table: string, columns: string, source: string, options: CopyOptions) {
  const settings = [options.binary ? 'FORMAT binary' : '', options.freeze ? 'FREEZE' : ''];
  const using = settings.filter(Boolean).join(', ');
  return `COPY ${table} (${columns}) FROM ${source}${using ? ` WITH (${using})` : ''}`;
}

/**
 * Streams `text` (COPY text lines, whole or in chunks) into `table (columns)` on `client`: the
 * server parses one chunk while the next is made. Answers the row count.
 */
export async function copyInto(
  client: pg.ClientBase,
  table: string,
  columns: string,
  text: string | Buffer | Iterable<string | Buffer>,
  options: CopyOptions = {},
): Promise<number> {
  const copy = client.query(copyFrom(copyStatement(table, columns, 'STDIN', options)));
  const chunks = typeof text === 'string' || Buffer.isBuffer(text) ? [text] : text;
  await pipeline(Readable.from(chunks, { objectMode: false }), copy);
  return copy.rowCount;
}

/** The statements of one bulk write, on whichever database Herald runs on. */
export interface BulkSession {
  query<Row>(text: string, params: unknown[]): Promise<Row[]>;
  /** COPY of `text` (COPY text lines or binary rows, whole or in chunks) into `table (columns)`. */
  copy(
    table: string,
    columns: string,
    text: string | Iterable<string | Buffer>,
    options?: CopyOptions,
  ): Promise<void>;
  /**
   * The rows of `query` in COPY's binary format (read them with BinaryCopyReader). COPY takes no
   * parameters: every value in `query` must be a literal quoted with `escapeLiteral`.
   */
  copyOut(query: string): Promise<Buffer>;
}

/**
 * Runs `work` in one transaction: on a PostgreSQL server on a pooled connection (COPY goes
 * through pg-copy-streams), on PGlite in its transaction (COPY reads a Blob as /dev/blob).
 */
export function bulkTransaction<T>(
  database: DatabaseHandle,
  work: (session: BulkSession) => Promise<T>,
): Promise<T> {
  const { pool, pglite } = database;
  if (pool) {
    return (async () => {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async <Row>(text: string, params: unknown[]) =>
            (await client.query(text, params)).rows as Row[],
          copy: async (table, columns, text, options) => {
            await copyInto(client, table, columns, text, options);
          },
          copyOut: async (query) => {
            const chunks: Buffer[] = [];
            const stream = client.query(copyTo(`COPY (${query}) TO STDOUT WITH (FORMAT binary)`));
            for await (const chunk of stream) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks);
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection whose ROLLBACK fails is in an unknown state: closed, not reused.
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    })();
  }
  if (!pglite) throw new Error('The database handle has neither a pool nor PGlite');
  return pglite.transaction((tx) =>
    work({
      query: async <Row>(text: string, params: unknown[]) =>
        (await tx.query<Row>(text, params)).rows,
      copy: async (table, columns, text, options = {}) => {
        await tx.query(copyStatement(table, columns, `'/dev/blob'`, options), [], {
          blob: new Blob(typeof text === 'string' ? [text] : [...text]),
        });
      },
      copyOut: async (query) => {
        const result = await tx.query(`COPY (${query}) TO '/dev/blob' WITH (FORMAT binary)`);
        if (!result.blob) throw new Error('COPY TO /dev/blob returned no data');
        return Buffer.from(await result.blob.arrayBuffer());
      },
    }),
  );
}
