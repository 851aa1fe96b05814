// What each business has spent on models today (UTC), for the budget check before every
// attempt. Summing today's ai_calls on every attempt grows with the day's calls, so the sum is
// read at most every `refreshMs` per business and this process's own costs are added as they are
// recorded. Other processes' spending shows up within `refreshMs`; budgets are approximate at
// that scale anyway (calls already in flight finish).
export interface SpendTracker {
  spentToday(businessId: string, dayStart: Date): Promise<number>;
  add(businessId: string, dayStart: Date, usd: number): void;
}

interface Entry {
  day: number;
  spentUsd: number;
  readAt: number;
}

const MAX_ENTRIES = 10_000;

export function createSpendTracker(deps: {
  read: (businessId: string, dayStart: Date) => Promise<number>;
  refreshMs: number;
  clock?: () => number;
}): SpendTracker {
  const entries = new Map<string, Entry>();
  const clock = deps.clock ?? (() => performance.now());
  return {
    async spentToday(businessId, dayStart) {
      const entry = entries.get(businessId);
      const day = dayStart.getTime();
      if (entry?.day === day && clock() - entry.readAt < deps.refreshMs) return entry.spentUsd;
      const readAt = clock();
      const spentUsd = await deps.read(businessId, dayStart);
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(businessId, { day, spentUsd, readAt });
      return spentUsd;
    },
    add(businessId, dayStart, usd) {
      const entry = entries.get(businessId);
      if (entry?.day === dayStart.getTime()) entry.spentUsd += usd;
    },
  };
}
