// The segment rule document as the builder edits it (the same JSON the API validates), what a
// new condition of each kind starts as, and whether a draft is complete enough to preview.
import type { ChurnTierName, RfmSegment } from '@shared/scores';

export type ValueOp =
  'eq' | 'neq' | 'contains' | 'exists' | 'not_exists' | 'gt' | 'gte' | 'lt' | 'lte';
export type NumberOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';
export type Scalar = string | number | boolean;

export type Condition =
  | { trait: string; op: ValueOp; value?: Scalar }
  | { field: 'email'; op: 'eq' | 'neq' | 'contains' | 'exists' | 'not_exists'; value?: string }
  | {
      field: 'lastSeenAt' | 'firstSeenAt';
      op: 'before' | 'after' | 'within_days' | 'not_within_days';
      value: string | number;
    }
  | { field: 'eventCount'; op: NumberOp; value: number }
  | {
      event: string;
      count: { op: 'eq' | 'gte' | 'lte'; value: number };
      withinDays?: number;
      where?: { property: string; op: ValueOp; value?: Scalar }[];
    }
  | { orders: { op: NumberOp; value: number } }
  | { revenue: { op: NumberOp; value: number } }
  | { consent: 'subscribed' | 'unsubscribed' | 'pending' | 'none' }
  | { score: ScoreName; op: NumberOp; value: number }
  | { rfmSegment: RfmSegment }
  | { churnTier: ChurnTierName };

/** Scores of the latest intelligence run a rule can compare (amounts in major units). */
export type ScoreName =
  'churnRisk' | 'pAlive' | 'clv' | 'expectedPurchases' | 'expectedOrderValue' | 'clvPercentile';

export const SCORE_LABELS: Record<ScoreName, string> = {
  clvPercentile: 'Lifetime value percentile (0–100)',
  clv: 'Lifetime value',
  churnRisk: 'Churn risk (0–1)',
  pAlive: 'Chance still active (0–1)',
  expectedPurchases: 'Expected purchases',
  expectedOrderValue: 'Expected order value',
};

export type RuleNode = Condition | RuleGroup;
export type RuleGroup = { all: RuleNode[] } | { any: RuleNode[] };

export const MAX_DEPTH = 4;

export type ConditionKind =
  | 'trait'
  | 'field'
  | 'event'
  | 'orders'
  | 'revenue'
  | 'consent'
  | 'score'
  | 'rfmSegment'
  | 'churnTier';

export const KIND_LABELS: Record<ConditionKind, string> = {
  trait: 'Trait',
  field: 'Profile',
  event: 'Did an event',
  orders: 'Orders',
  revenue: 'Revenue',
  consent: 'Email consent',
  score: 'Score',
  rfmSegment: 'RFM segment',
  churnTier: 'Churn risk',
};

export const VALUE_OP_LABELS: Record<ValueOp, string> = {
  eq: 'is',
  neq: 'is not',
  contains: 'contains',
  exists: 'is set',
  not_exists: 'is not set',
  gt: 'is more than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
};

export const NUMBER_OP_LABELS: Record<NumberOp, string> = {
  eq: 'exactly',
  neq: 'not',
  gt: 'more than',
  gte: 'at least',
  lt: 'fewer than',
  lte: 'at most',
};

export function newCondition(kind: ConditionKind): Condition {
  switch (kind) {
    case 'trait':
      return { trait: '', op: 'eq', value: '' };
    case 'field':
      return { field: 'lastSeenAt', op: 'within_days', value: 30 };
    case 'event':
      return { event: '', count: { op: 'gte', value: 1 } };
    case 'orders':
      return { orders: { op: 'gte', value: 1 } };
    case 'revenue':
      return { revenue: { op: 'gte', value: 100 } };
    case 'consent':
      return { consent: 'subscribed' };
    case 'score':
      return { score: 'clvPercentile', op: 'gte', value: 80 };
    case 'rfmSegment':
      return { rfmSegment: 'champions' };
    case 'churnTier':
      return { churnTier: 'high' };
  }
}

export function kindOf(condition: Condition): ConditionKind {
  if ('trait' in condition) return 'trait';
  if ('field' in condition) return 'field';
  if ('event' in condition) return 'event';
  if ('orders' in condition) return 'orders';
  if ('revenue' in condition) return 'revenue';
  if ('score' in condition) return 'score';
  if ('rfmSegment' in condition) return 'rfmSegment';
  if ('churnTier' in condition) return 'churnTier';
  return 'consent';
}

export const isGroup = (node: RuleNode): node is RuleGroup => 'all' in node || 'any' in node;
export const childrenOf = (group: RuleGroup): RuleNode[] =>
  'all' in group ? group.all : group.any;
export const withChildren = (group: RuleGroup, children: RuleNode[]): RuleGroup =>
  'all' in group ? { all: children } : { any: children };

/** A typed value as JSON: numbers and true/false as such, anything else as text. */
export function parseScalar(text: string): Scalar {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  return text;
}

const needsValue = (op: ValueOp) => op !== 'exists' && op !== 'not_exists';

function conditionComplete(condition: Condition): boolean {
  if ('trait' in condition) {
    return (
      condition.trait.trim() !== '' &&
      (!needsValue(condition.op) || (condition.value !== undefined && condition.value !== ''))
    );
  }
  if ('field' in condition) {
    if (condition.field === 'email') {
      return !needsValue(condition.op) || (condition.value ?? '').trim() !== '';
    }
    return condition.value !== '' && !Number.isNaN(condition.value);
  }
  if ('event' in condition) {
    return (
      condition.event.trim() !== '' &&
      (condition.where ?? []).every(
        (filter) =>
          filter.property.trim() !== '' && (!needsValue(filter.op) || filter.value !== ''),
      )
    );
  }
  if ('score' in condition) return !Number.isNaN(condition.value);
  return true;
}

/** Whether every condition is filled in (the preview and the save wait until then). */
export function rulesComplete(group: RuleGroup): boolean {
  const children = childrenOf(group);
  return (
    children.length > 0 &&
    children.every((child) => (isGroup(child) ? rulesComplete(child) : conditionComplete(child)))
  );
}
