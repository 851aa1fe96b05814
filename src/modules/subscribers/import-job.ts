// CSV import of subscribers as a job: the file is parsed as a stream and written in batches,
// each row whole or not at all. Rows that cannot be imported (no or bad email, malformed CSV,
// a duplicate of an earlier row) are skipped and reported with their line number and reason.
import { Readable } from 'node:stream';

import type { CsvError } from 'csv-parse';
import { z } from 'zod';

import type { Database } from '../../platform/db/client.ts';
import type { JobKind } from '../jobs/service.ts';
import { createSubscriberRepository, type NewSubscriber } from './repository.ts';
import { ConsentStatus, EmailAddress, type ImportResult } from './schemas.ts';

export const SUBSCRIBER_IMPORT_JOB = 'subscribers.import';

const BATCH_SIZE = 1000;
/** Row errors kept in the result; the count covers them all. */
const MAX_REPORTED_ERRORS = 1000;
const CHUNK_BYTES = 64 * 1024;

const KNOWN: Record<string, 'email' | 'firstName' | 'lastName' | 'consentStatus' | 'source'> = {
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

function* chunksOf(text: string): Generator<string> {
  for (let start = 0; start < text.length; start += CHUNK_BYTES) {
    yield text.slice(start, start + CHUNK_BYTES);
  }
}

export const ImportInput = z.object({ importId: z.uuid() });
export type ImportInput = z.infer<typeof ImportInput>;

export function subscriberImportJob(deps: { db: Database }): JobKind<ImportInput> {
  const repository = createSubscriberRepository(deps.db);
  return {
    kind: SUBSCRIBER_IMPORT_JOB,
    input: ImportInput,
    timeLimitMs: 30 * 60_000,
    async run({ businessId, input, progress, signal }) {
      const stored = await repository.findImport(input.importId);
      if (stored?.businessId !== businessId) throw new Error('import file not found');
      const { csv } = stored;
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
      const parser = parse({
        columns: (headers: string[]) => headers.map(normaliseHeader),
        bom: true,
        trim: true,
        skip_empty_lines: true,
        info: true,
        skip_records_with_error: true,
        on_skip: (error: CsvError | undefined) => {
          result.rows += 1;
          const lines = error?.lines;
          rowError(typeof lines === 'number' ? lines : 0, error?.message ?? 'malformed CSV row');
          return undefined;
        },
      });
      Readable.from(chunksOf(csv)).pipe(parser);

      // email → line of its first row: a later row with the same address is a duplicate.
      const seen = new Map<string, number>();
      let batch: NewSubscriber[] = [];
      let lastProgress = Date.now();
      const flush = async () => {
        const counts = await repository.upsertMany(batch);
        result.imported += counts.inserted;
        result.updated += counts.updated;
        batch = [];
        if (Date.now() - lastProgress > 500) {
          lastProgress = Date.now();
          const percent = Math.min(98, Math.floor((parser.info.bytes / csv.length) * 97) + 1);
          await progress(percent, `${String(result.rows)} rows read`);
        }
      };

      for await (const item of parser as AsyncIterable<{
        record: Record<string, string>;
        info: { lines: number };
      }>) {
        if (signal.aborted) throw new Error('import stopped at its time limit');
        result.rows += 1;
        const line = item.info.lines;
        const subscriber: NewSubscriber = {
          businessId,
          email: '',
          firstName: null,
          lastName: null,
          attributes: {},
          source: 'csv',
        };
        const attributes: Record<string, string> = {};
        let consent: string | undefined;
        for (const [header, value] of Object.entries(item.record)) {
          const known = KNOWN[header.toLowerCase()];
          if (known === 'email') subscriber.email = value;
          else if (known === 'firstName') subscriber.firstName = value || null;
          else if (known === 'lastName') subscriber.lastName = value || null;
          else if (known === 'consentStatus') consent = value.toLowerCase();
          else if (known === 'source') subscriber.source = value || 'csv';
          else if (header !== '' && value !== '') attributes[header] = value;
        }
        subscriber.attributes = attributes;
        if (subscriber.email === '') {
          rowError(line, 'missing email');
          continue;
        }
        const email = EmailAddress.safeParse(subscriber.email);
        if (!email.success) {
          rowError(line, `invalid email "${subscriber.email.slice(0, 100)}"`);
          continue;
        }
        subscriber.email = email.data;
        if (consent) {
          const status = ConsentStatus.safeParse(consent);
          if (!status.success) {
            rowError(line, `invalid consent_status "${consent.slice(0, 40)}"`);
            continue;
          }
          subscriber.consentStatus = status.data;
        }
        const first = seen.get(subscriber.email);
        if (first !== undefined) {
          rowError(line, `duplicate of row ${String(first)}`);
          continue;
        }
        seen.set(subscriber.email, line);
        batch.push(subscriber);
        if (batch.length >= BATCH_SIZE) await flush();
      }
      await flush();
      // The parser reports malformed rows ahead of the rows it hands over: list them by line.
      result.errors.sort((a, b) => a.row - b.row);
      await repository.removeImport(input.importId);
      await progress(99, `${String(result.imported)} imported, ${String(result.updated)} updated`);
      return result;
    },
  };
}
