// The group-commit writer: one write for concurrent requests, answers only after the commit,
// failures reach every request of the flush, and 503 instead of an unbounded queue.
import { describe, expect, it } from 'vitest';

import type { AppError } from '../../platform/http/errors.ts';
import type { EventRow } from './repository.ts';
import { EventWriter, type FlushWork } from './writer.ts';

const row = (messageId: string) => ({ messageId }) as EventRow;

function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

function writerWith(write: (work: FlushWork) => Promise<void>, overrides = {}) {
  return new EventWriter({
    write: (collect) => write(collect()),
    flushDelayMs: 1,
    flushRows: 100,
    concurrency: 1,
    maxPendingRows: 1_000,
    maxWaitMs: 60_000,
    ...overrides,
  });
}

describe('EventWriter', () => {
  it('writes concurrent requests in one flush and answers each after it commits', async () => {
    const flushes: string[][] = [];
    const writer = writerWith((work) => {
      flushes.push(work.rows.map((r) => r.messageId));
      return Promise.resolve();
    });
    await Promise.all([writer.write([row('a'), row('b')]), writer.write([row('c')])]);
    expect(flushes).toEqual([['a', 'b', 'c']]);
    expect(writer.pendingRows).toBe(0);
  });

  it('rejects every request of a flush that failed', async () => {
    const writer = writerWith(() => Promise.reject(new Error('database gone')));
    const results = await Promise.allSettled([writer.write([row('a')]), writer.write([row('b')])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('answers 503 with Retry-After past the pending bound, instead of queueing more', async () => {
    const held = gate();
    const writer = writerWith(() => held.opened, { maxPendingRows: 3 });
    const first = writer.write([row('a'), row('b'), row('c')]);
    let refused: AppError | undefined;
    try {
      await writer.write([row('d')]);
    } catch (error) {
      refused = error as AppError;
    }
    expect(refused?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(refused?.headers['retry-after']).toBe('1');
    held.open();
    await first;
    await writer.write([row('d')]); // room again once the flush committed
  });

  it('answers 503 when the oldest pending write has waited too long', async () => {
    let clock = 0;
    const held = gate();
    const writer = writerWith(() => held.opened, { maxWaitMs: 500, now: () => clock });
    const first = writer.write([row('a')]); // in flight, held
    await new Promise((resolve) => setTimeout(resolve, 5));
    const queued = writer.write([row('b')]); // queued behind it
    clock = 501;
    expect(() => {
      writer.assertCapacity();
    }).toThrow(/behind/);
    held.open();
    await Promise.all([first, queued]);
  });

  it('takes the writes that arrived while its transaction waited for the database', async () => {
    const flushes: string[][] = [];
    const database = gate();
    const writer = new EventWriter({
      write: async (collect) => {
        await database.opened; // e.g. PGlite's one connection, busy elsewhere
        flushes.push(collect().rows.map((r) => r.messageId));
      },
      flushDelayMs: 1,
      flushRows: 3,
      concurrency: 1,
      maxPendingRows: 1_000,
      maxWaitMs: 60_000,
    });
    const first = writer.write([row('a')]);
    await new Promise((resolve) => setTimeout(resolve, 5)); // its flush has started waiting
    const later = [writer.write([row('b')]), writer.write([row('c')]), writer.write([row('d')])];
    database.open();
    await Promise.all([first, ...later]);
    // b and c joined a's flush; d would have made it larger than flushRows.
    expect(flushes).toEqual([['a', 'b', 'c'], ['d']]);
    expect(writer.pendingRows).toBe(0);
  });
});
