// An intelligence run's arithmetic off the event loop. At a million customers computeRun takes
// ~2.5 s of CPU; on `herald serve` the API answers on the same thread, so a large run is handed
// to a worker thread with its columns (typed arrays, moved, not copied) and the scores come back
// the same way. Small runs, a few milliseconds of work, stay on the calling thread.
import { Worker } from 'node:worker_threads';

import type { PurchaseSummaries } from './repository.ts';
import { computeRun, type RunResult, type RunScores, type RunSettings } from './run.ts';

/** From this many customers up, a run's arithmetic goes to a worker thread (tens of ms below). */
export const OFF_THREAD_CUSTOMERS = 20_000;

export interface RunRequest {
  summaries: PurchaseSummaries;
  settings: RunSettings;
}

/** The memory behind every column, once each: what a message moves between threads. */
export function columnBuffers(...columns: (ArrayBufferView | null | undefined)[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const column of columns) if (column) buffers.add(column.buffer as ArrayBuffer);
  return [...buffers];
}

export function summaryBuffers(summaries: PurchaseSummaries): ArrayBuffer[] {
  const { customerIds, x, txDays, tDays, recencyDays, repeatMeanCents, totalCents } = summaries;
  return columnBuffers(customerIds, x, txDays, tDays, recencyDays, repeatMeanCents, totalCents);
}

export function scoreBuffers(scores: RunScores): ArrayBuffer[] {
  const { predictive } = scores;
  return [
    ...summaryBuffers(scores.summaries),
    ...columnBuffers(
      scores.rfmR,
      scores.rfmF,
      scores.rfmM,
      scores.rfmSegment,
      predictive?.pAlive,
      predictive?.expectedPurchases,
      predictive?.expectedOrderValueCents,
      predictive?.clvCents,
      predictive?.clvPercentile,
    ),
  ];
}

/** A Buffer again: a message delivers a Buffer as a plain Uint8Array. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * computeRun, on a worker thread when the base is large. The summaries' columns move to the
 * worker and come back in the result (`result.scores.summaries`): the caller must not read
 * `summaries` afterwards.
 */
export function computeRunOffThread(
  summaries: PurchaseSummaries,
  settings: RunSettings,
): Promise<RunResult> {
  if (summaries.customers < OFF_THREAD_CUSTOMERS) {
    return Promise.resolve(computeRun(summaries, settings));
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./run-worker.ts', import.meta.url), {
      workerData: { summaries, settings } satisfies RunRequest,
      transferList: summaryBuffers(summaries),
    });
    let settled = false;
    worker.once('message', (result: RunResult) => {
      settled = true;
      result.scores.summaries.customerIds = asBuffer(result.scores.summaries.customerIds);
      resolve(result);
    });
    worker.once('error', (error: Error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`The run's worker thread stopped (exit code ${code})`));
    });
  });
}
