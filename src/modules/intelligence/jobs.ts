// The intelligence module's job (a run started from the API) and its nightly schedule: a
// background loop wherever jobs are consumed that, once a business's local clock passes the
// configured hour, runs it as of the day before. The schedule's unique index on (business, day)
// lets several workers race for the same night safely: one inserts the run, the others skip.
// Each pass also drops score partitions no run keeps any more.
import { pollingLoop } from '../../platform/background-loop.ts';
import type { Database } from '../../platform/db/client.ts';
import type { Logger } from '../../platform/logger.ts';
import type { BackgroundLoop } from '../../platform/queue.ts';
import type { JobKind } from '../jobs/index.ts';
import { createIntelligenceRepository } from './repository.ts';
import { RunOptions } from './schemas.ts';
import { INTELLIGENCE_RUN_JOB, type IntelligenceRunner } from './service.ts';

export function intelligenceRunJob(intelligence: IntelligenceRunner): JobKind<RunOptions> {
  return {
    kind: INTELLIGENCE_RUN_JOB,
    input: RunOptions,
    timeLimitMs: 30 * 60_000,
    async run({ businessId, jobId, userId, input, progress }) {
      const run = await intelligence.execute({
        businessId,
        trigger: 'manual',
        options: input,
        jobId,
        userId,
        progress,
      });
      return { runId: run?.id ?? null, status: run?.status ?? null };
    },
  };
}

export function intelligenceScheduleLoop(
  intelligence: IntelligenceRunner,
  deps: { db: Database; hour: number; intervalMs: number; logger: Logger },
): BackgroundLoop {
  return pollingLoop({
    name: 'intelligence-schedule',
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    failureMessage: 'nightly intelligence pass failed',
    round: async () => {
      await intelligence.sweepScores();
      const due = await createIntelligenceRepository(deps.db).dueForNightlyRun(deps.hour);
      for (const { businessId, asOf } of due) {
        try {
          await intelligence.execute({
            businessId,
            trigger: 'schedule',
            options: RunOptions.parse({ asOf }),
          });
        } catch (error) {
          // Recorded on the run as failed; the next night tries again.
          deps.logger.warn({ err: error, businessId }, 'nightly intelligence run failed');
        }
      }
      return false;
    },
  });
}
