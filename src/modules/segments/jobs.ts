// The periodic segment refresh: a background loop wherever jobs are consumed (`herald serve`,
// `herald worker`) that runs one refresh pass every SEGMENT_REFRESH_SECONDS. Several processes
// may run it at once: each segment is claimed with FOR UPDATE SKIP LOCKED, so none is
// recomputed twice at the same time.
import { pollingLoop } from '../../platform/background-loop.ts';
import type { Logger } from '../../platform/logger.ts';
import type { BackgroundLoop } from '../../platform/queue.ts';
import type { SegmentService } from './service.ts';

export function segmentRefreshLoop(
  segments: Pick<SegmentService, 'refreshOnce'>,
  deps: { intervalMs: number; logger: Logger },
): BackgroundLoop {
  return pollingLoop({
    name: 'segment-refresh',
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    failureMessage: 'segment refresh pass failed',
    round: async () => {
      const { refreshed, failed } = await segments.refreshOnce();
      if (refreshed > 0 || failed > 0) {
        deps.logger.debug({ refreshed, failed }, 'segment refresh pass');
      }
      return false;
    },
  });
}
