// The words and numbers of the Intelligence page: RFM segment names a marketer reads, money in
// the run's currency (amounts arrive in cents), calendar days and shares.
import type { RfmSegment } from './intelligence-queries';

export const SEGMENT_LABELS: Record<RfmSegment, string> = {
  champions: 'Champions',
  loyal: 'Loyal',
  potential_loyalists: 'Potential loyalists',
  new: 'New customers',
  promising: 'Promising',
  need_attention: 'Need attention',
  about_to_sleep: 'About to sleep',
  at_risk: 'At risk',
  cannot_lose: 'Cannot lose them',
  hibernating: 'Hibernating',
  lost: 'Lost',
};

/** What each segment means, in one line (the R and F quintile map of models/rfm.ts on the server). */
export const SEGMENT_HINTS: Record<RfmSegment, string> = {
  champions: 'Bought very recently, and often',
  loyal: 'Buy often, and not long ago',
  potential_loyalists: 'Recent, with more than one purchase',
  new: 'First purchase, very recently',
  promising: 'One purchase, recently',
  need_attention: 'Average recency and frequency',
  about_to_sleep: 'Average recency, buying less',
  at_risk: 'Bought often, but long ago',
  cannot_lose: 'Bought the most often, but have gone quiet',
  hibernating: 'Rarely, and not lately',
  lost: 'One purchase, long ago',
};

/** The segments in the order the page lists them: the best customers first. */
export const SEGMENT_ORDER = Object.keys(SEGMENT_LABELS) as RfmSegment[];

/** An amount in cents in `currency` ("$1,234.50"); whole units when `whole`. */
export function formatMoney(cents: number, currency: string, whole = false): string {
  const options: Intl.NumberFormatOptions = { style: 'currency', currency };
  if (whole) {
    options.minimumFractionDigits = 0;
    options.maximumFractionDigits = 0;
  }
  try {
    return (cents / 100).toLocaleString(undefined, options);
  } catch {
    // A currency code Intl does not know: the number with the code beside it.
    return `${(cents / 100).toLocaleString(undefined, { maximumFractionDigits: whole ? 0 : 2 })} ${currency}`;
  }
}

/** A calendar day (YYYY-MM-DD) as words ("Sep 30, 1997"), never shifted by the viewer's zone. */
export function formatDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, {
    timeZone: 'UTC',
    dateStyle: 'medium',
  });
}

export function formatPercent(share: number): string {
  return share.toLocaleString(undefined, { style: 'percent', maximumFractionDigits: 0 });
}

export function formatCount(count: number): string {
  return count.toLocaleString();
}

/** A signed change ("+12", "−3", "0"). */
export function formatDelta(delta: number): string {
  if (delta > 0) return `+${delta.toLocaleString()}`;
  if (delta < 0) return `−${Math.abs(delta).toLocaleString()}`;
  return '0';
}

/** A model parameter with enough digits to compare with a paper (4 significant). */
export function formatParameter(value: number): string {
  return value.toLocaleString(undefined, { maximumSignificantDigits: 4 });
}
