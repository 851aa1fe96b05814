// The A/B winner of a broadcast or a sequence step: the variant with the most recipients who
// opened (or clicked), as a share of those it was delivered to; ties (and a test nobody
// engaged with) go to the earliest variant, A.

export interface VariantTally {
  key: string;
  /** Emails the variant was delivered in. */
  delivered: number;
  /** Recipients who opened (or clicked), each counted once. */
  hits: number;
}

export function pickWinner(keys: string[], tallies: VariantTally[]): string {
  let best = keys[0] ?? 'A';
  let bestRate = -1;
  for (const key of keys) {
    const row = tallies.find((tally) => tally.key === key);
    const rate = row && row.delivered > 0 ? row.hits / row.delivered : 0;
    if (rate > bestRate) {
      best = key;
      bestRate = rate;
    }
  }
  return best;
}
