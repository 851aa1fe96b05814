// Compiles a validated rule document (schemas.ts) into one SQL predicate over `customers`, with
// drizzle's `sql` template: every name and value the marketer typed is a bound parameter (trait
// and property names are jsonb keys `-> $n::text`, never a path), and the only SQL text is
// fixed fragments chosen by the validated operator. The repository wraps the predicate in its
// queries (refresh, preview).
import { type SQL, sql } from 'drizzle-orm';

import { customers } from '../../platform/db/schema/index.ts';
import {
  groupChildren,
  isGroup,
  type PropertyFilter,
  type RuleGroup,
  type RuleNode,
  type ScoreName,
  type SegmentCondition,
  type ValueOp,
} from './schemas.ts';

export interface CompileContext {
  businessId: string;
  /** "Within N days" counts back from this instant (UTC days). */
  now: Date;
}

const DAY_MS = 86_400_000;

const COMPARE = {
  eq: sql`=`,
  neq: sql`<>`,
  gt: sql`>`,
  gte: sql`>=`,
  lt: sql`<`,
  lte: sql`<=`,
} as const;
type CompareOp = keyof typeof COMPARE;

type Scalar = string | number | boolean | undefined;

/** The UTC date `days - 1` days before `now`: the first day of a "last N days" window. */
function windowStart(now: Date, days: number): string {
  return new Date(now.getTime() - (days - 1) * DAY_MS).toISOString().slice(0, 10);
}

/** A condition on one key of a jsonb object column (traits, event properties). */
function jsonKeyCondition(container: SQL, key: string, op: ValueOp, value: Scalar): SQL {
  const member = sql`(${container} -> ${key}::text)`;
  const text = sql`(${container} ->> ${key}::text)`;
  const kind = sql`coalesce(jsonb_typeof(${member}), 'null')`;
  switch (op) {
    case 'exists':
      return sql`(${kind} <> 'null')`;
    case 'not_exists':
      return sql`(${kind} = 'null')`;
    case 'eq':
      return sql`coalesce(${member} = ${JSON.stringify(value)}::jsonb, false)`;
    case 'neq':
      return sql`coalesce(${member} <> ${JSON.stringify(value)}::jsonb, true)`;
    case 'contains':
      return sql`(${kind} = 'string' and strpos(lower(${text}), lower(${String(value)}::text)) > 0)`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof value === 'number') {
        // The cast only runs on numbers (CASE), so a text trait never breaks the query.
        return sql`(case when ${kind} = 'number' then (${text})::numeric ${COMPARE[op]} ${value}::numeric else false end)`;
      }
      if (typeof value === 'string') {
        return sql`(${kind} = 'string' and ${text} collate "C" ${COMPARE[op]} ${value}::text collate "C")`;
      }
      return sql`false`;
  }
}

function number(column: SQL | typeof customers.eventCount, op: CompareOp, value: number): SQL {
  return sql`${column} ${COMPARE[op]} ${value}::numeric`;
}

/** The events matching the condition's name, window and property filters (alias `e`). */
function eventFilter(
  context: CompileContext,
  event: string,
  withinDays: number | undefined,
  where: PropertyFilter[],
): SQL {
  const parts = [sql`e.business_id = ${context.businessId}::uuid`, sql`e.event = ${event}::text`];
  if (withinDays !== undefined) {
    const since = `${windowStart(context.now, withinDays)}T00:00:00.000Z`;
    parts.push(sql`e.timestamp >= ${since}::timestamptz`);
  }
  for (const filter of where) {
    parts.push(jsonKeyCondition(sql`e.properties`, filter.property, filter.op, filter.value));
  }
  return sql.join(parts, sql` and `);
}

/**
 * How many matching events the customer did: from the daily rollup when no property is
 * filtered, else from the events themselves, reached through each of the customer's identities
 * (each branch uses that identity's index; `distinct` counts an event reached twice once).
 */
function eventCount(
  context: CompileContext,
  condition: Extract<SegmentCondition, { event: string }>,
): SQL {
  const where = condition.where ?? [];
  if (where.length === 0) {
    const window =
      condition.withinDays === undefined
        ? sql``
        : sql` and a.day >= ${windowStart(context.now, condition.withinDays)}::date`;
    return sql`(select coalesce(sum(a.count), 0) from customer_activity a where a.customer_id = ${customers.id} and a.business_id = ${context.businessId}::uuid and a.event = ${condition.event}::text${window})`;
  }
  const filter = () => eventFilter(context, condition.event, condition.withinDays, where);
  const viaIdentity = (kind: string, column: SQL) =>
    sql`select e.message_id from customer_identities ci join events e on ${column} = ci.value where ci.customer_id = ${customers.id} and ci.business_id = ${context.businessId}::uuid and ci.kind = ${kind}::text and ${filter()}`;
  return sql`(select count(distinct m.message_id) from (${viaIdentity('userId', sql`e.user_id`)} union all ${viaIdentity('anonymousId', sql`e.anonymous_id`)} union all ${viaIdentity('email', sql`e.email`)} union all select e.message_id from events e where e.email = ${customers.email} and ${filter()}) m)`;
}

/** The column of each score, and what its value is multiplied by (major units to cents). */
const SCORE_COLUMNS: Record<ScoreName, { column: SQL; scale: number }> = {
  churnRisk: { column: sql`cs.churn_risk`, scale: 1 },
  pAlive: { column: sql`cs.p_alive`, scale: 1 },
  clv: { column: sql`cs.clv_cents`, scale: 100 },
  expectedPurchases: { column: sql`cs.expected_purchases`, scale: 1 },
  expectedOrderValue: { column: sql`cs.expected_order_value_cents`, scale: 100 },
  clvPercentile: { column: sql`cs.clv_percentile`, scale: 1 },
};

/**
 * The customer has a score row in the business's latest succeeded run that passes `test`. The
 * run is an uncorrelated subquery, found once per statement (its partial index); the score is
 * a primary-key lookup (run, customer). A null score (too little data) never matches.
 */
function scored(context: CompileContext, test: SQL): SQL {
  const latestRun = sql`(select r.id from intelligence_runs r where r.business_id = ${context.businessId}::uuid and r.status = 'succeeded' order by r.finished_at desc limit 1)`;
  return sql`exists (select 1 from customer_scores cs where cs.run_id = ${latestRun} and cs.customer_id = ${customers.id} and ${test})`;
}

function compileCondition(context: CompileContext, condition: SegmentCondition): SQL {
  if ('score' in condition) {
    const { column, scale } = SCORE_COLUMNS[condition.score];
    return scored(context, number(column, condition.op, condition.value * scale));
  }
  if ('rfmSegment' in condition) {
    return scored(context, sql`cs.rfm_segment = ${condition.rfmSegment}::text`);
  }
  if ('churnTier' in condition) {
    return scored(context, sql`cs.churn_tier = ${condition.churnTier}::text`);
  }
  if ('trait' in condition) {
    return jsonKeyCondition(
      sql`${customers.traits}`,
      condition.trait,
      condition.op,
      condition.value,
    );
  }
  if ('field' in condition) {
    switch (condition.field) {
      case 'email': {
        const email = customers.email;
        const value = (condition.value ?? '').toLowerCase();
        switch (condition.op) {
          case 'eq':
            return sql`${email} = ${value}::text`;
          case 'neq':
            return sql`${email} is distinct from ${value}::text`;
          case 'contains':
            return sql`strpos(coalesce(${email}, ''), ${value}::text) > 0`;
          case 'exists':
            return sql`${email} is not null`;
          case 'not_exists':
            return sql`${email} is null`;
        }
        break;
      }
      case 'lastSeenAt':
      case 'firstSeenAt': {
        const column =
          condition.field === 'lastSeenAt' ? customers.lastSeenAt : customers.firstSeenAt;
        const at =
          typeof condition.value === 'number'
            ? new Date(context.now.getTime() - condition.value * DAY_MS).toISOString()
            : condition.value;
        const bound = sql`${at}::timestamptz`;
        switch (condition.op) {
          case 'before':
          case 'not_within_days':
            return sql`${column} < ${bound}`;
          case 'after':
          case 'within_days':
            return sql`${column} >= ${bound}`;
        }
        break;
      }
      case 'eventCount':
        return number(customers.eventCount, condition.op, condition.value);
    }
  }
  if ('event' in condition) {
    return number(eventCount(context, condition), condition.count.op, condition.count.value);
  }
  if ('orders' in condition) {
    return number(sql`${customers.orderCount}`, condition.orders.op, condition.orders.value);
  }
  if ('revenue' in condition) {
    const cents = Math.round(condition.revenue.value * 100);
    return number(sql`${customers.revenueCents}`, condition.revenue.op, cents);
  }
  if (condition.consent === 'none') return sql`${customers.subscriberId} is null`;
  return sql`exists (select 1 from subscribers s where s.id = ${customers.subscriberId} and s.business_id = ${context.businessId}::uuid and s.consent_status = ${condition.consent}::text)`;
}

function compileNode(context: CompileContext, node: RuleNode): SQL {
  if (!isGroup(node)) return compileCondition(context, node);
  const parts = groupChildren(node).map((child) => compileNode(context, child));
  return sql`(${sql.join(parts, 'all' in node ? sql` and ` : sql` or `)})`;
}

/** The rule document as one predicate over `customers` (the table, unaliased). */
export function compileRules(context: CompileContext, rules: RuleGroup): SQL {
  return compileNode(context, rules);
}
