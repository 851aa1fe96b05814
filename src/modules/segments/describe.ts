// A rule document in plain words, for people to check what a rule selects before trusting its
// count ("Ask about your customers" shows it before the results). One phrase per condition,
// groups joined by "and" / "or" and bracketed when nested.
import { CHURN_TIER_LABELS, RFM_SEGMENT_LABELS } from '../../shared/scores.ts';
import {
  groupChildren,
  isGroup,
  type RuleGroup,
  type RuleNode,
  type SegmentCondition,
} from './schemas.ts';

const COMPARE: Record<string, string> = {
  eq: 'exactly',
  neq: 'other than',
  gt: 'more than',
  gte: 'at least',
  lt: 'less than',
  lte: 'at most',
};

const VALUE_OP: Record<string, string> = {
  eq: 'is',
  neq: 'is not',
  contains: 'contains',
  gt: 'is more than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
};

const SCORE_NAMES: Record<string, string> = {
  churnRisk: 'churn risk',
  pAlive: 'probability of being active',
  clv: 'lifetime value',
  expectedPurchases: 'expected purchases',
  expectedOrderValue: 'expected order value',
  clvPercentile: 'lifetime-value percentile',
};

const quoted = (value: unknown) => JSON.stringify(value);
const money = (value: number) => value.toFixed(2);
const plural = (count: number, word: string) => `${String(count)} ${word}${count === 1 ? '' : 's'}`;

function valueCondition(subject: string, op: string, value: unknown): string {
  if (op === 'exists') return `${subject} is set`;
  if (op === 'not_exists') return `${subject} is not set`;
  return `${subject} ${VALUE_OP[op] ?? op} ${quoted(value)}`;
}

function eventPhrase(condition: Extract<SegmentCondition, { event: string }>): string {
  const window =
    condition.withinDays === undefined ? '' : ` in the last ${plural(condition.withinDays, 'day')}`;
  const filters = (condition.where ?? [])
    .map((filter) => valueCondition(`property ${quoted(filter.property)}`, filter.op, filter.value))
    .join(' and ');
  const where = filters ? ` where ${filters}` : '';
  const { op, value } = condition.count;
  const ordered = condition.event === 'Order Completed' && filters === '';
  if (op === 'eq' && value === 0) {
    return ordered
      ? `placed no order${window}`
      : `never did ${quoted(condition.event)}${where}${window}`;
  }
  if (ordered && op === 'gte' && value === 1) return `placed an order${window}`;
  return `did ${quoted(condition.event)}${where} ${COMPARE[op] ?? op} ${plural(value, 'time')}${window}`;
}

function describeCondition(condition: SegmentCondition): string {
  if ('score' in condition) {
    if (condition.score === 'clvPercentile' && (condition.op === 'gte' || condition.op === 'gt')) {
      const top = 100 - condition.value + (condition.op === 'gt' ? -1 : 0);
      return `lifetime value in the top ${String(top)} %`;
    }
    const shown =
      condition.score === 'clv' || condition.score === 'expectedOrderValue'
        ? money(condition.value)
        : String(condition.value);
    return `${SCORE_NAMES[condition.score] ?? condition.score} ${COMPARE[condition.op] ?? condition.op} ${shown}`;
  }
  if ('rfmSegment' in condition) {
    return `in the RFM segment “${RFM_SEGMENT_LABELS[condition.rfmSegment]}”`;
  }
  if ('churnTier' in condition) return CHURN_TIER_LABELS[condition.churnTier].toLowerCase();
  if ('trait' in condition) {
    return valueCondition(`trait ${quoted(condition.trait)}`, condition.op, condition.value);
  }
  if ('field' in condition) {
    switch (condition.field) {
      case 'email':
        return valueCondition('email', condition.op, condition.value);
      case 'eventCount':
        return `${COMPARE[condition.op] ?? condition.op} ${plural(condition.value, 'event')} in all`;
      case 'lastSeenAt':
      case 'firstSeenAt': {
        const what = condition.field === 'lastSeenAt' ? 'last seen' : 'first seen';
        switch (condition.op) {
          case 'before':
            return `${what} before ${String(condition.value)}`;
          case 'after':
            return `${what} after ${String(condition.value)}`;
          case 'within_days':
            return `${what} in the last ${plural(Number(condition.value), 'day')}`;
          case 'not_within_days':
            return `${what} more than ${plural(Number(condition.value), 'day')} ago`;
        }
      }
    }
  }
  if ('event' in condition) return eventPhrase(condition);
  if ('orders' in condition) {
    return `${COMPARE[condition.orders.op] ?? condition.orders.op} ${plural(condition.orders.value, 'order')}`;
  }
  if ('revenue' in condition) {
    return `revenue ${COMPARE[condition.revenue.op] ?? condition.revenue.op} ${money(condition.revenue.value)}`;
  }
  return condition.consent === 'none'
    ? 'no linked subscriber'
    : `email consent ${condition.consent}`;
}

function describeNode(node: RuleNode, nested: boolean): string {
  if (!isGroup(node)) return describeCondition(node);
  const parts = groupChildren(node).map((child) => describeNode(child, true));
  const joined = parts.join('all' in node ? ' and ' : ' or ');
  return nested && parts.length > 1 ? `(${joined})` : joined;
}

/** The rule in plain words, e.g. "high churn risk and lifetime value in the top 20 %". */
export function describeRules(rules: RuleGroup): string {
  return describeNode(rules, false);
}
