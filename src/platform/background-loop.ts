// The one shape of Herald's background loops (sequence and broadcast dispatch, customer
// processing, segment refresh, event partition maintenance): run a round, and when it says more
// work is waiting run the next at once, otherwise sleep; stop() waits for the rounds in flight.
//
// A busy loop still yields to the event loop between rounds. On PGlite every query runs
// synchronously inside this process and its promise settles as a microtask, so a backlog worked
// through round after round would otherwise never let the HTTP server read a request: ingestion
// and /health stalled for as long as the customer processor had events waiting.
import { setImmediate as yieldToIo, setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from './logger.ts';
import type { BackgroundLoop } from './queue.ts';

export interface PollingLoopOptions {
  name: string;
  /** One round of work; answers true when more is waiting (run again without sleeping). */
  round: () => Promise<boolean>;
  intervalMs: number;
  logger: Logger;
  /** Logged with the error when a round throws (the loop goes on). */
  failureMessage: string;
  /** Rounds running side by side (default 1). */
  concurrency?: number;
}

export function pollingLoop(options: PollingLoopOptions): BackgroundLoop {
  const controller = new AbortController();
  let running: Promise<void> | undefined;

  async function loop(): Promise<void> {
    while (!controller.signal.aborted) {
      let busy = false;
      try {
        busy = await options.round();
      } catch (error) {
        options.logger.error({ err: error }, options.failureMessage);
      }
      if (busy) await yieldToIo();
      else {
        await sleep(options.intervalMs, undefined, { signal: controller.signal }).catch(
          () => undefined,
        );
      }
    }
  }

  return {
    name: options.name,
    start(): void {
      running ??= Promise.all(Array.from({ length: options.concurrency ?? 1 }, loop)).then(
        () => undefined,
      );
    },
    async stop(): Promise<void> {
      controller.abort();
      await running;
    },
  };
}
