import { z } from 'zod';

import type { JobDefinition } from '../../platform/queue.ts';
import { type JobService, RUN_JOB_QUEUE } from './service.ts';

const RunJobData = z.object({ jobId: z.uuid() });

export function jobQueueDefinitions(service: JobService): JobDefinition[] {
  return [
    {
      queue: RUN_JOB_QUEUE,
      // The job itself records failure; queue-level retries only cover a lost worker (its
      // heartbeat went stale, or the job passed its expiry), so the retry need not wait long.
      retryLimit: 1,
      retryDelaySeconds: 2,
      expireInSeconds: 15 * 60,
      async handle(data, context) {
        await service.runQueued(RunJobData.parse(data).jobId, context.signal);
      },
    },
  ];
}
