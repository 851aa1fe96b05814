// The A/B winner of a broadcast: the rule broadcasts and sequence steps share (src/shared).
import { pickWinner as pickByRate } from '../../shared/ab-winner.ts';
import type { VariantCounts } from './dispatch-repository.ts';

export function pickWinner(
  keys: string[],
  counts: VariantCounts[],
  metric: 'opens' | 'clicks',
): string {
  return pickByRate(
    keys,
    counts.map((row) => ({
      key: row.variant ?? '',
      delivered: row.delivered,
      hits: metric === 'opens' ? row.opened : row.clicked,
    })),
  );
}
