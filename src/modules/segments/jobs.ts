// The periodic segment refresh: a background loop wherever jobs are consumed (`herald serve`,
// `herald worker`) that runs one refresh pass every SEGMENT_REFRESH_SECONDS. Several processes
// may run it at once: each segment is claimed with FOR UPDATE SKIP LOCKED, so none is
// recomputed twice at the same time.
import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from '../../platform/logger.ts';
import type { BackgroundLoop } from '../../platform/queue.ts';
import type { SegmentService } from './service.ts';

export function segmentRefreshLoop(
  segments: Pick<SegmentService, 'refreshOnce'>,
  deps: { intervalMs: number; logger: Logger },
): BackgroundLoop {
  const controller = new AbortController();
  let running: Promise<void> | undefined;
  async function loop(): Promise<void> {
    while (!controller.signal.aborted) {
      try {
        const { refreshed, failed } = await segments.refreshOnce();
        if (refreshed > 0 || failed > 0) {
          deps.logger.debug({ refreshed, failed }, 'segment refresh pass');
        }
      } catch (error) {
        deps.logger.error({ err: error }, 'segment refresh pass failed');
      }
      await sleep(deps.intervalMs, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  }
  return {
    name: 'segment-refresh',
    start() {
      running ??= loop();
    },
    async stop() {
      controller.abort();
      await running;
    },
  };
}
