// The words of customer scores as plain data: the RFM segment names and churn tiers, with the
// labels people read. The server's schemas (modules/customers/schemas.ts) and the dashboard's
// filters and columns (imported as `@shared/scores`) use the very same lists.
export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalists',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cannot_lose',
  'hibernating',
  'lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export const RFM_SEGMENT_LABELS: Record<RfmSegment, string> = {
  champions: 'Champions',
  loyal: 'Loyal',
  potential_loyalists: 'Potential loyalists',
  new: 'New',
  promising: 'Promising',
  need_attention: 'Need attention',
  about_to_sleep: 'About to sleep',
  at_risk: 'At risk',
  cannot_lose: 'Cannot lose',
  hibernating: 'Hibernating',
  lost: 'Lost',
};

export const CHURN_TIERS = ['low', 'medium', 'high'] as const;
export type ChurnTierName = (typeof CHURN_TIERS)[number];

export const CHURN_TIER_LABELS: Record<ChurnTierName, string> = {
  low: 'Low churn risk',
  medium: 'Medium churn risk',
  high: 'High churn risk',
};
