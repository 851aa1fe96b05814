// The A/B winner: the variant with the most recipients who opened (or clicked), as a share of
// those it was delivered to; ties go to the earlier variant.
import type { VariantCounts } from './dispatch-repository.ts';

export function pickWinner(
  keys: string[],
  counts: VariantCounts[],
  metric: 'opens' | 'clicks',
): string {
  let best = keys[0] ?? 'A';
  let bestRate = -1;
  for (const key of keys) {
    const row = counts.find((count) => count.variant === key);
    const hits = row ? (metric === 'opens' ? row.opened : row.clicked) : 0;
    const rate = row && row.delivered > 0 ? hits / row.delivered : 0;
    if (rate > bestRate) {
      best = key;
      bestRate = rate;
    }
  }
  return best;
}
