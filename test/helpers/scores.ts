// Customer scores written straight into the tables, as a succeeded intelligence run leaves them
// (the run itself is another part's work): one intelligence_runs row and its customer_scores.
import { addScorePartition } from '../../src/modules/intelligence/repository.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { customerScores, intelligenceRuns } from '../../src/platform/db/schema/index.ts';
import type { ChurnTierName, RfmSegment } from '../../src/shared/scores.ts';

export interface ScoreSeed {
  customerId: string;
  rfmSegment?: RfmSegment;
  /** Default medium; null for a run without enough data (no predictive fields). */
  churnTier?: ChurnTierName | null;
  churnRisk?: number;
  clvCents?: number;
  clvPercentile?: number;
  expectedPurchases?: number;
  expectedOrderValueCents?: number;
  frequency?: number;
}

export interface RunSeed {
  status?: 'running' | 'succeeded' | 'failed';
  asOf?: string;
  finishedAt?: Date;
}

const RISK = { low: 0.1, medium: 0.5, high: 0.85 } as const;

/** A run of the business with these scores; its id. */
export async function addScoredRun(
  db: Database,
  businessId: string,
  scores: ScoreSeed[],
  run: RunSeed = {},
): Promise<string> {
  const status = run.status ?? 'succeeded';
  const [row] = await db
    .insert(intelligenceRuns)
    .values({
      businessId,
      status,
      trigger: 'manual',
      asOf: run.asOf ?? '2026-11-30',
      horizonDays: 365,
      annualDiscountRate: 0.1,
      timeZone: 'UTC',
      finishedAt: status === 'running' ? null : (run.finishedAt ?? new Date()),
    })
    .returning({ id: intelligenceRuns.id });
  if (!row) throw new Error('run not inserted');
  await addScorePartition(db, row.id);
  if (scores.length > 0) {
    await db.insert(customerScores).values(
      scores.map((seed) => {
        const tier = seed.churnTier === undefined ? 'medium' : seed.churnTier;
        const risk = tier === null ? null : (seed.churnRisk ?? RISK[tier]);
        return {
          runId: row.id,
          customerId: seed.customerId,
          businessId,
          frequency: seed.frequency ?? 2,
          recencyDays: 40,
          ageDays: 200,
          monetaryCents: 4200,
          rfmR: 3,
          rfmF: 3,
          rfmM: 3,
          rfmSegment: seed.rfmSegment ?? 'need_attention',
          pAlive: risk === null ? null : 1 - risk,
          churnRisk: risk,
          churnTier: tier,
          expectedPurchases: tier === null ? null : (seed.expectedPurchases ?? 1.5),
          expectedOrderValueCents: tier === null ? null : (seed.expectedOrderValueCents ?? 4500),
          clvCents: tier === null ? null : (seed.clvCents ?? 10_000),
          clvPercentile: tier === null ? null : (seed.clvPercentile ?? 50),
        };
      }),
    );
  }
  return row.id;
}
