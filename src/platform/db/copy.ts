// PostgreSQL's COPY text format, for the bulk writers (subscriber imports, event ingestion): on a
// PostgreSQL server a COPY costs the database less per row than an INSERT of the same rows sent
// as one JSON parameter, and the client builds no JSON document of the batch.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

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

/** Streams `text` (COPY text lines) into `table (columns)` on `client`; answers the row count. */
export async function copyInto(
  client: pg.ClientBase,
  table: string,
  columns: string,
  text: string | Buffer,
): Promise<number> {
  const copy = client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`));
  await pipeline(Readable.from([text], { objectMode: false }), copy);
  return copy.rowCount;
}

/** The statements of one bulk write, on whichever database Herald runs on. */
export interface BulkSession {
  query<Row>(text: string, params: unknown[]): Promise<Row[]>;
  /** COPY of `text` (COPY text lines) into `table (columns)`. */
  copy(table: string, columns: string, text: string): Promise<void>;
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
          copy: async (table, columns, text) => {
            await copyInto(client, table, columns, text);
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
      copy: async (table, columns, text) => {
        await tx.query(`COPY ${table} (${columns}) FROM '/dev/blob'`, [], {
          blob: new Blob([text]),
        });
      },
    }),
  );
}
