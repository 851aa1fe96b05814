// A sequence's analytics: enrollment counts, delivery and engagement totals per step and for
// the whole sequence (rates over delivered mail, bounce rate over sent), and a daily series.
import type { Principal } from '../../platform/http/auth-guard.ts';
import type { OwnedSequence } from './owned-sequence.ts';
import type { SequenceRepository } from './repository.ts';
import type { SequenceAnalytics } from './schemas.ts';

function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

export function createSequenceAnalytics(deps: {
  repository: SequenceRepository;
  ownedSequence: OwnedSequence;
}) {
  const { repository, ownedSequence } = deps;
  return {
    async analytics(
      principal: Principal,
      businessId: string,
      sequenceId: string,
      days: number,
    ): Promise<SequenceAnalytics> {
      await ownedSequence(principal, businessId, sequenceId, 'business.read');
      const [steps, counts, enrollmentCounts] = await Promise.all([
        repository.steps(sequenceId),
        repository.stepCounts(sequenceId),
        repository.enrollmentCounts(sequenceId),
      ]);
      const since = new Date(Date.now() - days * 86_400_000);
      const series = await repository.dailySeries(sequenceId, since);
      const countsOf = (raw: {
        delivered: number;
        bounced: number;
        suppressed: number;
        failed: number;
        opened: number;
        clicked: number;
        unsubscribed: number;
        complained: number;
      }) => {
        const delivered = raw.delivered;
        const bounced = raw.bounced;
        const sent = delivered + bounced;
        return {
          sent,
          delivered,
          opened: raw.opened,
          clicked: raw.clicked,
          unsubscribed: raw.unsubscribed,
          complained: raw.complained,
          bounced,
          suppressed: raw.suppressed,
          failed: raw.failed,
          openRate: rate(raw.opened, delivered),
          clickRate: rate(raw.clicked, delivered),
          unsubscribeRate: rate(raw.unsubscribed, delivered),
          bounceRate: rate(bounced, sent),
        };
      };
      const zero = {
        delivered: 0,
        bounced: 0,
        suppressed: 0,
        failed: 0,
        opened: 0,
        clicked: 0,
        unsubscribed: 0,
        complained: 0,
      };
      const byStep = new Map(counts.map((row) => [row.stepId, row]));
      const total = { ...zero };
      for (const row of counts) {
        for (const key of Object.keys(zero) as (keyof typeof zero)[]) total[key] += row[key];
      }
      const days_ = new Map<
        string,
        { date: string; sent: number; opened: number; clicked: number; unsubscribed: number }
      >();
      for (const point of series) {
        const day = days_.get(point.date) ?? {
          date: point.date,
          sent: 0,
          opened: 0,
          clicked: 0,
          unsubscribed: 0,
        };
        if (
          point.kind === 'sent' ||
          point.kind === 'opened' ||
          point.kind === 'clicked' ||
          point.kind === 'unsubscribed'
        ) {
          day[point.kind] = point.n;
        }
        days_.set(point.date, day);
      }
      let enrolled = 0;
      for (const value of enrollmentCounts.values()) enrolled += value;
      return {
        sequenceId,
        enrolled,
        active: enrollmentCounts.get('active') ?? 0,
        completed: enrollmentCounts.get('completed') ?? 0,
        totals: countsOf(total),
        steps: steps.map((step) => ({
          stepId: step.id,
          position: step.position,
          subject: step.subject,
          ...countsOf(byStep.get(step.id) ?? zero),
          lastError: byStep.get(step.id)?.lastError ?? null,
        })),
        series: [...days_.values()].sort((a, b) => a.date.localeCompare(b.date)),
      };
    },
  };
}
