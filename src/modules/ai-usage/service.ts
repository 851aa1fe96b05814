// AI usage of a business: calls, tokens and cost by day, task and model over a date range, and
// today's budget. Owners only; another tenant's business is NOT_FOUND.
import type { BudgetStatus } from '../../ai/contract.ts';
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import { createAiUsageRepository, type UsageRow } from './repository.ts';
import type { AiUsage, AiUsageQuery, UsageFigures } from './schemas.ts';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const roundUsd = (value: number) => Math.round(value * 1_000_000) / 1_000_000;

function emptyFigures(): UsageFigures {
  return {
    calls: 0,
    succeeded: 0,
    ungrounded: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
  };
}

function add(into: UsageFigures, row: UsageRow): void {
  into.calls += row.calls;
  into.succeeded += row.succeeded;
  into.ungrounded += row.ungrounded;
  into.promptTokens += row.promptTokens;
  into.completionTokens += row.completionTokens;
  into.costUsd = roundUsd(into.costUsd + row.costUsd);
}

/** Sums rows into one entry per key, in first-seen order. */
function groupBy<K extends object>(
  rows: UsageRow[],
  keyOf: (row: UsageRow) => K,
): (K & UsageFigures)[] {
  const groups = new Map<string, K & UsageFigures>();
  for (const row of rows) {
    const key = keyOf(row);
    const id = JSON.stringify(key);
    let group = groups.get(id);
    if (!group) {
      group = { ...key, ...emptyFigures() };
      groups.set(id, group);
    }
    add(group, row);
  }
  return [...groups.values()];
}

export function createAiUsageService(deps: {
  db: Database;
  access: BusinessAccess;
  ai: { budget(businessId: string): Promise<BudgetStatus> };
  now?: () => Date;
}) {
  const repository = createAiUsageRepository(deps.db);
  const now = deps.now ?? (() => new Date());

  return {
    async usage(principal: Principal, businessId: string, query: AiUsageQuery): Promise<AiUsage> {
      await deps.access.require(principal, businessId, 'business.read');
      const to = query.to ?? isoDay(now());
      const from = query.from ?? isoDay(new Date(Date.parse(to) - (DEFAULT_DAYS - 1) * DAY_MS));
      const rows = await repository.usage(
        businessId,
        new Date(`${from}T00:00:00.000Z`),
        new Date(Date.parse(`${to}T00:00:00.000Z`) + DAY_MS),
      );
      const totals = emptyFigures();
      for (const row of rows) add(totals, row);
      return {
        businessId,
        from,
        to,
        totals,
        byDay: groupBy(rows, (row) => ({ day: row.day })).sort((a, b) =>
          a.day.localeCompare(b.day),
        ),
        byTask: groupBy(rows, (row) => ({ task: row.task })).sort((a, b) => b.costUsd - a.costUsd),
        byModel: groupBy(rows, (row) => ({ provider: row.provider, model: row.model })).sort(
          (a, b) => b.costUsd - a.costUsd,
        ),
        budget: await deps.ai.budget(businessId),
      };
    },
  };
}

export type AiUsageService = ReturnType<typeof createAiUsageService>;
