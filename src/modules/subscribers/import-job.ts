// CSV import of subscribers (its job is in jobs.ts): the file is parsed as a stream and written
// in batches, each row whole or not at all. Each row is checked with the schema of the API's
// "add a subscriber" (one definition, the same limits); rows that cannot be imported (no or bad
// email, a field over its limit, a NUL, a row over 64 KB, malformed CSV, a duplicate of an
// earlier row) are skipped and reported with their line number and reason. The import yields to
// the event loop between batches and every few milliseconds, so the server keeps answering while
// a large file is imported (on PGlite the database shares this thread). On a PostgreSQL server,
// batches of new subscribers are written with COPY until one meets an existing email.
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';

import type { CsvError } from 'csv-parse';
import type pg from 'pg';
import { z } from 'zod';

import type { Database } from '../../platform/db/client.ts';
import { AppError } from '../../platform/http/errors.ts';
import {
  CopyBatch,
  createSubscriberCopier,
  createSubscriberRepository,
  type ImportedSubscriber,
} from './repository.ts';
import {
  CreateSubscriberBody,
  IMPORT_MAX_COLUMNS,
  type ImportColumn,
  type ImportField,
  type ImportResult,
} from './schemas.ts';

export const SUBSCRIBER_IMPORT_JOB = 'subscribers.import';

const DEFAULT_BATCH_ROWS = 1000;
/** Row errors kept in the result; the count covers them all. */
const MAX_REPORTED_ERRORS = 1000;
/** A row longer than this (in characters) is skipped: no valid subscriber needs as much. */
export const IMPORT_MAX_ROW_CHARS = 64 * 1024;
/** CPU time the job takes before it lets other work run. */
const SLICE_MS = 4;

type Field = ImportField;
const KNOWN: Record<string, Field> = {
  email: 'email',
  email_address: 'email',
  first_name: 'firstName',
  firstname: 'firstName',
  last_name: 'lastName',
  lastname: 'lastName',
  consent: 'consentStatus',
  consent_status: 'consentStatus',
  consentstatus: 'consentStatus',
  source: 'source',
};

function normaliseHeader(header: string): string {
  return header.trim().replace(/^\uFEFF/, '');
}

/** The reason a row is refused, from the first issue the API's schema found. */
function rowProblem(
  issue: z.core.$ZodIssue | undefined,
  candidate: Record<string, unknown>,
  header: (field: Field) => string,
): string {
  const field = issue?.path[0];
  const value = (name: Field) => {
    const text = candidate[name];
    return typeof text === 'string' ? text : '';
  };
  if (field === 'email') return `invalid email "${value('email').slice(0, 100)}"`;
  if (field === 'consentStatus')
    return `invalid ${header('consentStatus')} "${value('consentStatus').slice(0, 40)}"`;
  if (typeof field === 'string' && field in candidate && field !== 'attributes')
    return `${header(field as Field)}: ${issue?.message ?? 'invalid'}`;
  return `${issue?.path.join('.') || 'row'}: ${issue?.message ?? 'invalid'}`;
}

/** One run of an import: the stored file, its business, and the job's progress and time limit. */
export interface ImportRun {
  businessId: string;
  importId: string;
  /** What each column becomes, chosen by the user; without it, columns are read by name. */
  columns?: ImportColumn[] | undefined;
  progress: (percent: number, message: string) => Promise<void>;
  /** Aborted at the job's time limit. */
  signal: AbortSignal;
}

export interface ImporterOptions {
  db: Database;
  /** Rows per write (default 1000). */
  batchRows?: number;
  /** Writes in flight at once (default 1; more only where the database has its own cores). */
  parallelWrites?: number;
  /**
   * When set, the rows per write adapt (between 50 and `batchRows`) so that a write takes about
   * this long: on PGlite a write holds the event loop, so it bounds what a request waits.
   */
  writeMs?: number;
  /**
   * On a PostgreSQL server, its pool: batches of new subscribers are then written with COPY,
   * and merged with the existing ones only once a batch meets an email already stored.
   */
  pool?: pg.Pool | undefined;
}

/** Imports a stored CSV file into its business's subscribers and reports what happened. */
export function createSubscriberImporter(
  deps: ImporterOptions,
): (run: ImportRun) => Promise<ImportResult> {
  const repository = createSubscriberRepository(deps.db);
  const copier = deps.pool && createSubscriberCopier(deps.pool);
  const maxRows = deps.batchRows ?? DEFAULT_BATCH_ROWS;
  const parallelWrites = Math.max(1, deps.parallelWrites ?? 1);
  const { writeMs } = deps;
  return async function importSubscribers({ businessId, importId, columns, progress, signal }) {
    const stored = await repository.findImport(importId);
    if (stored?.businessId !== businessId) throw new Error('import file not found');
    const { file } = stored;
    const result: ImportResult = {
      rows: 0,
      imported: 0,
      updated: 0,
      skipped: 0,
      errorCount: 0,
      errors: [],
    };
    const rowError = (row: number, reason: string) => {
      result.errorCount += 1;
      result.skipped += 1;
      if (result.errors.length < MAX_REPORTED_ERRORS) result.errors.push({ row, reason });
    };
    await progress(1, 'Reading the file');

    // Imported per run rather than at start-up, where no import is running (start-up memory).
    const { parse } = await import('csv-parse');
    // Column names, from the header row (the parser's first record), and the subscriber
    // field each fills (undefined: an attribute), read once. Records arrive as arrays, not
    // objects keyed by column: less parsing time and garbage per row.
    const headers: string[] = [];
    const fields: (Field | undefined)[] = [];
    // The attribute a column fills when it fills no field.
    const attributeNames: string[] = [];
    // Without a mapping, of columns sharing a name only the last is read (as in an object
    // keyed by name); with one, every column not skipped.
    const read: boolean[] = [];
    const parser = parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        result.rows += 1;
        const lines = error?.lines;
        rowError(
          typeof lines === 'number' ? lines : 0,
          // Worded as when the parser reads records by column name.
          error?.message.replace(
            /^Invalid Record Length: expect /,
            'Invalid Record Length: columns length is ',
          ) ?? 'malformed CSV row',
        );
        return undefined;
      },
    });
    const readHeader = (names: string[]) => {
      // The API refuses such a file; one stored before that check is refused here.
      if (names.length > IMPORT_MAX_COLUMNS)
        throw new AppError(
          'VALIDATION_ERROR',
          `The file was not imported: it has ${String(names.length)} columns; at most ${String(IMPORT_MAX_COLUMNS)} can be imported`,
        );
      if (columns !== undefined && columns.length !== names.length)
        throw new AppError(
          'VALIDATION_ERROR',
          `The file was not imported: its header row has ${String(names.length)} columns but ${String(columns.length)} were mapped`,
        );
      for (const [column, name] of names.entries()) {
        const header = normaliseHeader(name);
        headers.push(header);
        const chosen = columns?.[column];
        if (chosen === undefined) {
          fields.push(KNOWN[header.toLowerCase()]);
          attributeNames.push(header);
        } else {
          fields.push(typeof chosen === 'string' && chosen !== 'skip' ? chosen : undefined);
          attributeNames.push(typeof chosen === 'object' ? chosen.attribute : header);
          read.push(chosen !== 'skip');
        }
      }
      if (columns === undefined)
        for (const [column, name] of headers.entries())
          read.push(headers.lastIndexOf(name) === column);
    };
    // The file streams from its stored, compressed form: the whole text is never held.
    // A failure on either side reaches the loop below through the parser.
    pipeline(file.open(), parser).catch(() => undefined);
    // The CSV column each field came from, for row errors.
    const header = (field: Field) => headers[fields.indexOf(field)] ?? field;

    // email → line of its first row: a later row with the same address is a duplicate.
    const seen = new Map<string, number>();
    // The rows of the batch being read: COPY text when the copier writes it, objects otherwise.
    let batch: ImportedSubscriber[] = [];
    let copyBatch = new CopyBatch(businessId);
    const batchSize = () => (copier ? copyBatch.rows : batch.length);
    let lastProgress = Date.now();
    let sliceStart = performance.now();
    // Writes stay in flight while the next batch is read and checked: on a PostgreSQL server
    // they run in other processes (`parallelWrites` connections at once). Batches never
    // share an email, so their order does not matter.
    const writing: Promise<void>[] = [];
    let writeError: Error | undefined;
    const settle = async (pending: number) => {
      while (writing.length > pending) await writing.shift();
      if (writeError !== undefined) throw writeError;
    };
    let batchRows = writeMs === undefined ? maxRows : Math.min(maxRows, 200);
    // New subscribers are copied in until a batch meets an existing email: that batch and
    // the rest of the file are merged (a file of existing subscribers is rarely new again).
    let copying = copier !== undefined;
    const write = async (rows: ImportedSubscriber[], copied: CopyBatch) => {
      if (!copier) return repository.upsertMany(businessId, rows);
      if (copying) {
        const inserted = await copier.insertNew(copied);
        if (inserted !== undefined) return { inserted, updated: 0 };
        copying = false;
      }
      return copier.merge(businessId, copied);
    };
    const flush = async () => {
      await settle(parallelWrites - 1);
      const writeStart = performance.now();
      const rows = batchSize();
      writing.push(
        write(batch, copyBatch).then(
          (counts) => {
            result.imported += counts.inserted;
            result.updated += counts.updated;
            if (writeMs !== undefined && rows >= batchRows) {
              const took = Math.max(1, performance.now() - writeStart);
              batchRows = Math.round(Math.min(maxRows, Math.max(50, (rows * writeMs) / took)));
            }
          },
          (error: unknown) => {
            writeError ??= error instanceof Error ? error : new Error(String(error));
          },
        ),
      );
      batch = [];
      copyBatch = new CopyBatch(businessId);
      if (Date.now() - lastProgress > 500) {
        lastProgress = Date.now();
        const percent = Math.min(
          98,
          Math.floor((parser.info.bytes / Math.max(1, file.bytes)) * 97) + 1,
        );
        await progress(percent, `${String(result.rows)} rows read`);
      }
      await nextTurn();
      sliceStart = performance.now();
    };

    const readRow = async (record: string[], line: number) => {
      if (signal.aborted) throw new Error('import stopped at its time limit');
      if (performance.now() - sliceStart > SLICE_MS) {
        await nextTurn();
        sliceStart = performance.now();
      }
      result.rows += 1;
      const candidate: Record<string, unknown> = { source: 'csv' };
      const attributes: Record<string, string> = {};
      let hasAttributes = false;
      let size = 0;
      let nul: string | undefined;
      for (let column = 0; column < record.length; column++) {
        if (read[column] !== true) continue;
        const value = record[column] ?? '';
        const name = headers[column] ?? '';
        size += value.length;
        if (value.includes('\0')) nul ??= name;
        const attribute = attributeNames[column] ?? '';
        const known = fields[column];
        if (known === 'consentStatus') {
          if (value !== '') candidate.consentStatus = value.toLowerCase();
        } else if (known) {
          if (value !== '') candidate[known] = value;
        } else if (attribute !== '' && value !== '') {
          attributes[attribute] = value;
          hasAttributes = true;
        }
      }
      if (size > IMPORT_MAX_ROW_CHARS) {
        rowError(line, `row longer than ${String(IMPORT_MAX_ROW_CHARS / 1024)} KB`);
        return;
      }
      if (nul !== undefined) {
        rowError(line, `${nul}: contains a NUL character`);
        return;
      }
      if (candidate.email === undefined) {
        rowError(line, 'missing email');
        return;
      }
      if (hasAttributes) candidate.attributes = attributes;
      const parsed = CreateSubscriberBody.safeParse(candidate);
      if (!parsed.success) {
        rowError(line, rowProblem(parsed.error.issues[0], candidate, header));
        return;
      }
      const subscriber = parsed.data;
      const first = seen.get(subscriber.email);
      if (first !== undefined) {
        rowError(line, `duplicate of row ${String(first)}`);
        return;
      }
      seen.set(subscriber.email, line);
      const row: ImportedSubscriber = {
        email: subscriber.email,
        firstName: subscriber.firstName ?? null,
        lastName: subscriber.lastName ?? null,
        attributes,
        consentStatus: subscriber.consentStatus,
        source: subscriber.source,
      };
      if (copier) copyBatch.add(row);
      else batch.push(row);
      if (batchSize() >= batchRows) await flush();
    };

    type Parsed = { record: string[]; info: { lines: number } };
    const readRows = async () => {
      // Waits only when the parser has nothing ready: the records it holds are read in one
      // go, which saves a promise per row.
      for await (const first of parser as AsyncIterable<Parsed>) {
        for (
          let item: Parsed | null = first;
          item !== null;
          item = parser.read() as Parsed | null
        ) {
          if (headers.length === 0) readHeader(item.record);
          else await readRow(item.record, item.info.lines);
        }
      }
    };
    try {
      await readRows();
    } catch (error) {
      // A file refused as a whole will not be tried again: drop it.
      if (error instanceof AppError) await repository.removeImport(importId);
      throw error;
    }
    await flush();
    await settle(0);
    // The parser reports malformed rows ahead of the rows it hands over: list them by line.
    result.errors.sort((a, b) => a.row - b.row);
    await repository.removeImport(importId);
    // Fresh statistics after a bulk write: embedded PGlite has no autovacuum, and without them its
    // planner walked all 100,000 subscribers for a search instead of the trigram index (seconds per
    // request, and the one database thread stalled for everyone). On a server it saves waiting
    // for autovacuum. About 0.1 s for 100,000 rows.
    if (result.imported > 0) await repository.refreshStatistics();
    await progress(99, `${String(result.imported)} imported, ${String(result.updated)} updated`);
    return result;
  };
}
