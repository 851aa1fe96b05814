// Shapes of "ask about your customers": the question, what the AI layer must answer (a rule or
// why none can express it), and the answer the API gives (the rule, in plain words, its count,
// the first page and a summary).
import { z } from 'zod';

import { CustomerSummary } from '../customers/index.ts';
import { BusinessParams } from './schemas.ts';

export const QuestionParams = BusinessParams;

export const QuestionBody = z
  .object({
    question: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .meta({ example: 'Who is about to leave with CLV in the top 20 %?' }),
  })
  .meta({ id: 'CustomerQuestion' });
export type QuestionBody = z.infer<typeof QuestionBody>;

/**
 * What the model (or the builtin parser) answers. The rule is checked against the segment rule
 * schema by the module, not by the AI layer: a rule outside the allowlist is refused as an
 * answer the question cannot have (422), never retried into something else or run.
 */
export const QuestionTranslation = z.object({
  rule: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('The segment rule document (task_input.ruleSchema), or null'),
  unsupported: z
    .string()
    .max(1000)
    .nullable()
    .describe('When rule is null: what in the question the conditions cannot express'),
});
export type QuestionTranslation = z.infer<typeof QuestionTranslation>;

export const QuestionAnswer = z
  .object({
    rule: z
      .record(z.string(), z.unknown())
      .describe('The segment rule the question became (the SegmentRules schema)'),
    readable: z.string().describe('The rule in plain words'),
    count: z.number().int().describe('Customers of the business matching the rule now'),
    customers: z
      .array(CustomerSummary)
      .describe('The first page of them (20), most recently seen first'),
    summary: z.string().describe('One paragraph: what was asked, how it was read, how many'),
    generatedBy: z.object({
      provider: z.string(),
      model: z.string(),
      /** What turned the question into the rule, in words (a model, or the builtin parser). */
      note: z.string(),
    }),
  })
  .meta({ id: 'CustomerQuestionAnswer' });
export type QuestionAnswer = z.infer<typeof QuestionAnswer>;

/** What the rules can ask about, for the 422 of a question they cannot express. */
export const WHAT_CAN_BE_ASKED = [
  'customer traits (e.g. plan is "pro")',
  'profile fields: email, first and last seen, number of events',
  'events done, how often and within how many days (orders are "Order Completed")',
  'number of orders and revenue',
  'email consent',
  'scores of the latest intelligence run: churn risk or tier, probability of being active, lifetime value or its percentile, expected purchases, expected order value, RFM segment',
];
