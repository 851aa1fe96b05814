// A/B tests of email steps. A drip step is reached over time, not by a whole audience at once,
// so while its test runs every delivery is split across the variants — by a hash of the
// enrollment and the step, so a retry (and every claim of the same enrollment) gets the same
// variant. `waitMinutes` after the test's first delivery the winner is picked by unique opens or
// clicks per delivered email (ties go to A); every later delivery gets it. A member may pick the
// winner by hand at any time. docs/sequences.md has the rule.
import { createHash } from 'node:crypto';

import type { Database } from '../../platform/db/client.ts';
import type { StepAbTest, StepVariant } from '../../platform/db/schema/sequences.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, conflict, found } from '../../platform/http/errors.ts';
import { pickWinner } from '../../shared/ab-winner.ts';
import { createAbRepository, type VariantCounts } from './ab-repository.ts';
import type { OwnedSequence } from './owned-sequence.ts';
import type { SequenceRepository, StepRow } from './repository.ts';
import {
  type StepAbResults,
  StepAbTest as StepAbTestSchema,
  type StepVariantBody,
  VariantKey,
} from './schemas.ts';
import { assertValidTemplates, htmlOfMarkdown, type StepTemplates } from './templates.ts';

export const VARIANT_KEYS = ['A', 'B', 'C', 'D'] as const;

/** The test settings when variants are given without them. */
export const DEFAULT_AB_TEST: StepAbTest = StepAbTestSchema.parse({});

/** The variant of one (enrollment, step): the same on every call, spread evenly over `keys`. */
export function assignVariant(enrollmentId: string, stepId: string, keys: string[]): string {
  const digest = createHash('sha256').update(`${enrollmentId}:${stepId}`).digest();
  return keys[digest.readUInt32BE(0) % keys.length] ?? 'A';
}

/** The email a variant sends: its own parts, the step's for the rest. */
export function variantTemplates(
  step: StepTemplates,
  variant: StepVariant | undefined,
): StepTemplates {
  if (!variant) return step;
  return {
    subject: variant.subject ?? step.subject,
    preheader: variant.preheader ?? step.preheader,
    html: variant.html ?? step.html,
    text: variant.text ?? step.text,
  };
}

/** Paths of a template error, moved under the variant (`body.variants.1.subject`). */
function underVariant<T>(prefix: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof AppError) {
      const issues = (error.details.issues ?? []) as { path: string }[];
      for (const issue of issues) issue.path = issue.path.replace(/^body\./, `${prefix}.`);
    }
    throw error;
  }
}

/**
 * Variants as stored, each checked as the step is (Liquid parsed and trial-rendered, Markdown
 * made into HTML) together with the step parts it keeps; errors name the variant's field.
 */
export function storedVariants(
  bodies: StepVariantBody[],
  step: StepTemplates,
  path: string,
): StepVariant[] {
  return bodies.map((body, index) => {
    const prefix = `${path}.variants.${String(index)}`;
    return underVariant(prefix, () => {
      const html =
        body.markdown !== undefined ? htmlOfMarkdown(body.markdown) : (body.html ?? null);
      const variant: StepVariant = {
        key: VARIANT_KEYS[index] ?? 'A',
        subject: body.subject ?? null,
        preheader: body.preheader ?? null,
        html,
        markdown: body.markdown ?? null,
        text: body.text ?? null,
      };
      assertValidTemplates(variantTemplates(step, variant), body.markdown);
      return variant;
    });
  });
}

function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

const keyOf = (value: string | null) => VariantKey.safeParse(value).data ?? null;

export function createStepAbTests(deps: {
  db: Database;
  repository: SequenceRepository;
  ownedSequence: OwnedSequence;
}) {
  const ab = createAbRepository(deps.db);

  function results(step: StepRow, counts: VariantCounts[]): StepAbResults {
    const variants = step.variants ?? [];
    const decideAt =
      step.abStartedAt && step.abTest && !step.winner
        ? new Date(step.abStartedAt.getTime() + step.abTest.waitMinutes * 60_000).toISOString()
        : null;
    return {
      stepId: step.id,
      status:
        variants.length === 0
          ? 'none'
          : step.winner
            ? 'decided'
            : step.abStartedAt
              ? 'running'
              : 'waiting',
      metric: step.abTest?.metric ?? null,
      startedAt: step.abStartedAt?.toISOString() ?? null,
      decideAt,
      winner: keyOf(step.winner),
      winnerAt: step.winnerAt?.toISOString() ?? null,
      pickedBy:
        step.winnerPickedBy === 'hand' ? 'hand' : step.winnerPickedBy === 'auto' ? 'auto' : null,
      variants: variants.map((variant) => {
        const row = counts.find((count) => count.variant === variant.key);
        const delivered = row?.delivered ?? 0;
        const uniqueOpens = row?.unique_opens ?? 0;
        const uniqueClicks = row?.unique_clicks ?? 0;
        return {
          key: keyOf(variant.key) ?? 'A',
          subject: variant.subject ?? step.subject,
          sent: delivered + (row?.bounced ?? 0),
          delivered,
          opens: row?.opens ?? 0,
          uniqueOpens,
          clicks: row?.clicks ?? 0,
          uniqueClicks,
          openRate: rate(uniqueOpens, delivered),
          clickRate: rate(uniqueClicks, delivered),
        };
      }),
    };
  }

  async function ownedStep(
    principal: Principal,
    businessId: string,
    sequenceId: string,
    stepId: string,
    permission: 'business.read' | 'content.approve',
  ): Promise<StepRow> {
    await deps.ownedSequence(principal, businessId, sequenceId, permission);
    return found(await deps.repository.findStep(sequenceId, stepId), 'Step');
  }

  return {
    /** The step's test: its state and, per variant, counts and rates since it started. */
    async abResults(
      principal: Principal,
      businessId: string,
      sequenceId: string,
      stepId: string,
    ): Promise<StepAbResults> {
      const step = await ownedStep(principal, businessId, sequenceId, stepId, 'business.read');
      return results(step, await ab.counts(deps.db, step.id, step.abStartedAt));
    },

    /** Picks the winner by hand (or changes it): every later delivery of the step gets it. */
    async pickStepWinner(
      principal: Principal,
      businessId: string,
      sequenceId: string,
      stepId: string,
      variant: VariantKey,
    ): Promise<StepAbResults> {
      const step = await ownedStep(principal, businessId, sequenceId, stepId, 'content.approve');
      if (!step.variants || step.variants.length === 0)
        throw conflict('This step has no A/B variants');
      if (!step.variants.some((candidate) => candidate.key === variant))
        throw new AppError('VALIDATION_ERROR', `This step has no variant ${variant}`, {
          details: { issues: [{ path: 'body.variant', message: `no variant ${variant}` }] },
        });
      const updated = found(await ab.setWinner(deps.db, step.id, variant, 'hand'), 'Step');
      return results(updated, await ab.counts(deps.db, updated.id, updated.abStartedAt));
    },
  };
}

/**
 * The automatic decisions, run by the dispatcher each round: every test whose wait has ended
 * gets its winner by the metric. Returns how many were decided.
 */
export async function decideDueTests(db: Database, now: Date): Promise<number> {
  const ab = createAbRepository(db);
  let decided = 0;
  for (const stepId of await ab.dueForDecision(now)) {
    const won = await db.transaction(async (tx) => {
      const step = await ab.lockUndecided(tx, stepId);
      if (!step?.variants || !step.abTest) return false;
      const counts = await ab.counts(tx, step.id, step.abStartedAt);
      const metric = step.abTest.metric;
      const winner = pickWinner(
        step.variants.map((variant) => variant.key),
        counts.map((row) => ({
          key: row.variant,
          delivered: row.delivered,
          hits: metric === 'opens' ? row.unique_opens : row.unique_clicks,
        })),
      );
      return (await ab.setWinner(tx, step.id, winner, 'auto', now)) !== undefined;
    });
    if (won) decided += 1;
  }
  return decided;
}
