import { z } from 'zod';

import type { JobDefinition } from '../../platform/queue.ts';
import { type JobService, RUN_JOB_QUEUE } from './service.ts';

const RunJobData = z.object({ jobId: z.uuid() });

export function jobQueueDefinitions(service: JobService): JobDefinition[] {
  return [
    {
      queue: RUN_JOB_QUEUE,
      // The job itself records failure; queue-level retries only cover a crashed worker.
      retryLimit: 1,
      expireInSeconds: 15 * 60,
      async handle(data) {
        await service.runQueued(RunJobData.parse(data).jobId);
      },
    },
  ];
}
