// The segment rule document and the segment API's shapes. A rule is a root group (`all` = AND,
// `any` = OR) of conditions and nested groups, bounded in depth and size, validated here and
// compiled to parameterised SQL in compile.ts.
import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';
import { ChurnTier, RfmSegmentName } from '../customers/index.ts';

/** Groups nest at most this deep (the root group is level 1). */
export const MAX_RULE_DEPTH = 4;
/** Conditions in one rule document, all groups together. */
export const MAX_RULE_CONDITIONS = 50;

const Name = z.string().trim().min(1).max(200);
const ScalarValue = z.union([z.string().max(500), z.number(), z.boolean()]);

export const ValueOp = z
  .enum(['eq', 'neq', 'contains', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte'])
  .describe(
    'eq / neq compare the JSON value (neq also matches a missing one); contains is a case-insensitive substring; exists / not_exists take no value; gt/gte/lt/lte compare numbers as numbers and strings (ISO dates) as text',
  );
export type ValueOp = z.infer<typeof ValueOp>;

export const CountOp = z.enum(['eq', 'gte', 'lte']);
export const NumberOp = z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte']);

/** eq…lte need a value (contains a string); exists / not_exists take none. */
function checkValue(
  condition: { op: ValueOp; value?: string | number | boolean | undefined },
  context: z.RefinementCtx,
): void {
  const needsValue = condition.op !== 'exists' && condition.op !== 'not_exists';
  if (needsValue && condition.value === undefined) {
    context.addIssue({ code: 'custom', path: ['value'], message: `${condition.op} needs a value` });
  }
  if (!needsValue && condition.value !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['value'],
      message: `${condition.op} takes no value`,
    });
  }
  if (condition.op === 'contains' && typeof condition.value !== 'string') {
    context.addIssue({ code: 'custom', path: ['value'], message: 'contains needs a string' });
  }
}

const Comparison = <Op extends z.ZodType>(op: Op) =>
  z.strictObject({ op, value: z.number().min(0).max(1e12) });

export const TraitCondition = z
  .strictObject({
    trait: Name.describe("A key of the customer's traits, taken literally (no path)"),
    op: ValueOp,
    value: ScalarValue.optional(),
  })
  .superRefine(checkValue)
  .describe('A customer trait, e.g. plan eq "pro"');

export const PropertyFilter = z
  .strictObject({
    property: Name.describe("A top-level key of the event's properties, taken literally"),
    op: ValueOp,
    value: ScalarValue.optional(),
  })
  .superRefine(checkValue)
  .describe('A condition on one property of the event');
export type PropertyFilter = z.infer<typeof PropertyFilter>;

const StringFieldCondition = z
  .strictObject({
    field: z.literal('email'),
    op: z.enum(['eq', 'neq', 'contains', 'exists', 'not_exists']),
    value: z.string().max(320).optional(),
  })
  .superRefine(checkValue);
const TimeFieldCondition = z
  .strictObject({
    field: z.enum(['lastSeenAt', 'firstSeenAt']),
    op: z
      .enum(['before', 'after', 'within_days', 'not_within_days'])
      .describe('before/after an ISO time, or within / not within the last N days'),
    value: z.union([z.iso.datetime({ offset: true }), z.number().int().min(1).max(36500)]),
  })
  .superRefine((condition, context) => {
    const wantsDays = condition.op === 'within_days' || condition.op === 'not_within_days';
    if (wantsDays !== (typeof condition.value === 'number')) {
      context.addIssue({
        code: 'custom',
        path: ['value'],
        message: wantsDays
          ? `${condition.op} needs a number of days`
          : `${condition.op} needs an ISO time`,
      });
    }
  });
const CountFieldCondition = z.strictObject({
  field: z.literal('eventCount'),
  op: NumberOp,
  value: z.number().int().min(0).max(1e12),
});

export const FieldCondition = z
  .union([StringFieldCondition, TimeFieldCondition, CountFieldCondition])
  .describe("A field of the customer's profile");

export const EventCondition = z
  .strictObject({
    event: Name.describe('The track event name, e.g. "Signed Up" or "Email Opened"'),
    count: z.strictObject({ op: CountOp, value: z.number().int().min(0).max(1e9) }),
    withinDays: z
      .number()
      .int()
      .min(1)
      .max(36500)
      .optional()
      .describe('Count only the last N days (today included, UTC)'),
    where: z
      .array(PropertyFilter)
      .max(10)
      .optional()
      .describe('Count only the events whose properties match (read from the events themselves)'),
  })
  .describe('How often the customer did something, e.g. "Signed Up" at least once in 30 days');

export const OrdersCondition = z
  .strictObject({ orders: Comparison(NumberOp) })
  .describe('The number of orders the customer placed');
export const RevenueCondition = z
  .strictObject({
    revenue: Comparison(NumberOp).describe('In major units (e.g. 49.90), net of refunds'),
  })
  .describe("The customer's revenue");
export const ConsentCondition = z
  .strictObject({
    consent: z
      .enum(['subscribed', 'unsubscribed', 'pending', 'none'])
      .describe('The linked subscriber’s consent; none: no subscriber linked'),
  })
  .describe('Email consent of the subscriber linked to the customer');

export const SCORES = [
  'churnRisk',
  'pAlive',
  'clv',
  'expectedPurchases',
  'expectedOrderValue',
  'clvPercentile',
] as const;
export type ScoreName = (typeof SCORES)[number];

export const ScoreCondition = z
  .strictObject({
    score: z
      .enum(SCORES)
      .describe(
        'churnRisk and pAlive from 0 to 1; clv and expectedOrderValue in major units (e.g. 120.50); expectedPurchases over the run’s horizon; clvPercentile from 0 to 100 (80: the top 20 %)',
      ),
    op: NumberOp,
    value: z.number().min(0).max(1e12),
  })
  .describe(
    "A score from the business's latest intelligence run; a customer without one never matches",
  );
export const RfmSegmentCondition = z
  .strictObject({ rfmSegment: RfmSegmentName })
  .describe("The customer's RFM segment in the latest intelligence run");
export const ChurnTierCondition = z
  .strictObject({ churnTier: ChurnTier })
  .describe("The customer's churn-risk tier in the latest intelligence run");

export const SegmentCondition = z.union([
  TraitCondition,
  FieldCondition,
  EventCondition,
  OrdersCondition,
  RevenueCondition,
  ConsentCondition,
  ScoreCondition,
  RfmSegmentCondition,
  ChurnTierCondition,
]);
export type SegmentCondition = z.infer<typeof SegmentCondition>;

export type RuleNode = SegmentCondition | RuleGroup;
export type RuleGroup = { all: RuleNode[] } | { any: RuleNode[] };

const children = (): z.ZodType<RuleNode[]> =>
  z
    .array(z.union([SegmentCondition, RuleGroupShape]))
    .min(1)
    .max(MAX_RULE_CONDITIONS);

const RULES_EXAMPLE = {
  all: [
    { trait: 'plan', op: 'eq', value: 'pro' },
    { event: 'Email Opened', count: { op: 'eq', value: 0 }, withinDays: 90 },
  ],
};

const RuleGroupShape: z.ZodType<RuleGroup> = z
  .lazy(() =>
    z.union([
      z.strictObject({ all: children() }).describe('Every condition holds (AND)'),
      z.strictObject({ any: children() }).describe('At least one condition holds (OR)'),
    ]),
  )
  .meta({ id: 'SegmentRuleGroup', example: RULES_EXAMPLE });

export function isGroup(node: RuleNode): node is RuleGroup {
  return 'all' in node || 'any' in node;
}

export function groupChildren(group: RuleGroup): RuleNode[] {
  return 'all' in group ? group.all : group.any;
}

/** How deep the groups nest and how many conditions there are. */
export function measureRules(group: RuleGroup): { depth: number; conditions: number } {
  let conditions = 0;
  let depth = 0;
  const walk = (node: RuleGroup, level: number) => {
    depth = Math.max(depth, level);
    for (const child of groupChildren(node)) {
      if (isGroup(child)) walk(child, level + 1);
      else conditions += 1;
    }
  };
  walk(group, 1);
  return { depth, conditions };
}

export const SegmentRules = RuleGroupShape.superRefine((group, context) => {
  const { depth, conditions } = measureRules(group);
  if (depth > MAX_RULE_DEPTH) {
    context.addIssue({
      code: 'custom',
      message: `groups nest ${depth} deep; at most ${MAX_RULE_DEPTH} levels are allowed`,
    });
  }
  if (conditions > MAX_RULE_CONDITIONS) {
    context.addIssue({
      code: 'custom',
      message: `${conditions} conditions; at most ${MAX_RULE_CONDITIONS} are allowed`,
    });
  }
}).meta({
  id: 'SegmentRules',
  description: `A root group: { "all": [...] } (AND) or { "any": [...] } (OR) of conditions and nested groups, at most ${MAX_RULE_DEPTH} levels and ${MAX_RULE_CONDITIONS} conditions.`,
  example: RULES_EXAMPLE,
});
export type SegmentRules = RuleGroup;

const SegmentName = z.string().trim().min(1).max(160).meta({ example: 'Pro customers gone quiet' });
const Description = z.string().trim().max(1000);

export const CreateSegmentBody = z.object({
  name: SegmentName,
  description: Description.default(''),
  rules: SegmentRules,
});
export type CreateSegmentBody = z.infer<typeof CreateSegmentBody>;

export const UpdateSegmentBody = z
  .object({ name: SegmentName, description: Description, rules: SegmentRules })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'send at least one field to change');
export type UpdateSegmentBody = z.infer<typeof UpdateSegmentBody>;

export const Segment = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    name: z.string(),
    description: z.string(),
    // Written as plain JSON: fast-json-stringify cannot compile the rule union (its value
    // unions clash when merged); requests validate it as SegmentRules.
    rules: z
      .record(z.string(), z.unknown())
      .describe('The rule document as saved (the SegmentRules schema of the request bodies)'),
    size: z.number().int().describe('Members at the last refresh'),
    refreshedAt: z.iso
      .datetime()
      .nullable()
      .describe('When membership was last recomputed; null until the first refresh'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Segment' });
export type Segment = z.infer<typeof Segment>;

export const SegmentPage = pageSchema(Segment);
export const SegmentListQuery = PaginationQuery;
export type SegmentListQuery = z.infer<typeof SegmentListQuery>;

export const SegmentParams = z.object({ businessId: z.uuid(), segmentId: z.uuid() });

export const SegmentCustomer = z
  .object({
    id: z.uuid(),
    userId: z.string().nullable(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    lastSeenAt: z.iso.datetime(),
  })
  .meta({ id: 'SegmentCustomer' });
export type SegmentCustomer = z.infer<typeof SegmentCustomer>;

export const SegmentMember = SegmentCustomer.extend({
  enteredAt: z.iso.datetime().describe('When the customer entered the segment'),
}).meta({ id: 'SegmentMember' });
export type SegmentMember = z.infer<typeof SegmentMember>;
export const SegmentMemberPage = pageSchema(SegmentMember).describe(
  'Members, latest to enter first',
);

export const SegmentSize = z.object({ measuredAt: z.iso.datetime(), size: z.number().int() });
export const SegmentSizeQuery = z.object({
  days: z.coerce.number().int().min(1).max(365).default(30),
});
export const SegmentSizeList = z.object({
  items: z.array(SegmentSize).describe('Oldest first: one point per change, or per hour at most'),
});
export type SegmentSizeList = z.infer<typeof SegmentSizeList>;

export const PreviewBody = z.object({ rules: SegmentRules });
export const SegmentPreview = z
  .object({
    size: z.number().int().describe('Customers matching the rules now'),
    sample: z.array(SegmentCustomer).describe('A few of them, most recently seen first'),
  })
  .meta({ id: 'SegmentPreview' });
export type SegmentPreview = z.infer<typeof SegmentPreview>;
