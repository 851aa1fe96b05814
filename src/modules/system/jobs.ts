import { z } from 'zod';

import type { JobDefinition } from '../../platform/queue.ts';
import { QUEUE_PROBE_JOB, type SystemService } from './service.ts';

const QueueProbeJobData = z.object({ probeId: z.uuid() });

export function systemJobs(service: SystemService): JobDefinition[] {
  return [
    {
      queue: QUEUE_PROBE_JOB,
      retryLimit: 2,
      expireInSeconds: 60,
      async handle(data) {
        const { probeId } = QueueProbeJobData.parse(data);
        await service.runQueueProbe(probeId);
      },
    },
  ];
}
