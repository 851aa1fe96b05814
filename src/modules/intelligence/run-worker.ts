// The worker thread of run-thread.ts: one run's arithmetic, its columns moved back when done.
import { parentPort, workerData } from 'node:worker_threads';

import { computeRun } from './run.ts';
import { asBuffer, type RunRequest, scoreBuffers } from './run-thread.ts';

const { summaries, settings } = workerData as RunRequest;
summaries.customerIds = asBuffer(summaries.customerIds);
const result = computeRun(summaries, settings);
parentPort?.postMessage(result, scoreBuffers(result.scores));
