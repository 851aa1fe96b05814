// "Ask about your customers": a question in plain words becomes a segment rule through the AI
// layer (strong tier; the builtin provider parses a fixed grammar), the rule is validated
// against the segment rule schema — the allowlist of what may be asked — and run by the segment
// compiler inside the caller's business. A model never writes SQL, and nothing it writes can
// name another business: the business comes from the route, the rule only from the schema.
import { z } from 'zod';

import type { AiRunner } from '../../ai/contract.ts';
import { customerQuestionTask } from '../../ai/tasks.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError } from '../../platform/http/errors.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import type { CustomerService } from '../customers/index.ts';
import { describeRules, SegmentRules, type SegmentService } from '../segments/index.ts';
import {
  type QuestionAnswer,
  QuestionTranslation,
  WHAT_CAN_BE_ASKED,
} from './questions-schemas.ts';

/** Customers in an answer's first page. */
export const QUESTION_PAGE = 20;

const BUILTIN = 'builtin';
const BUILTIN_NOTE =
  'Read by Herald’s built-in rule parser, not an AI model: it understands a fixed set of phrasings (docs/intelligence.md); configure a model for free-form questions.';

const translation = customerQuestionTask.withOutput(QuestionTranslation);
/** The schema the rule must match, shown to the model (computed once). */
const RULE_SCHEMA = z.toJSONSchema(SegmentRules, { io: 'input', unrepresentable: 'any' });

function cannotAsk(message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('UNPROCESSABLE', message, {
    details: { ...details, canAsk: WHAT_CAN_BE_ASKED },
  });
}

function summarise(question: string, readable: string, count: number, builtin: boolean): string {
  const who = count === 1 ? '1 customer matches' : `${String(count)} customers match`;
  const page =
    count > QUESTION_PAGE
      ? ` The first ${String(QUESTION_PAGE)}, most recently seen first, are listed.`
      : '';
  const reader = builtin
    ? 'Herald’s built-in rule parser (not an AI model)'
    : 'the configured AI model';
  return `“${question}” was read by ${reader} as: ${readable}. ${who} today.${page} Scores come from the latest intelligence run; check the rule above before acting on the list.`;
}

export function createQuestionService(deps: {
  access: BusinessAccess;
  ai: AiRunner;
  segments: SegmentService;
  customers: CustomerService;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  return {
    async ask(principal: Principal, businessId: string, question: string): Promise<QuestionAnswer> {
      await deps.access.require(principal, businessId, 'business.read');
      const { value, generatedBy } = await deps.ai.run(
        translation,
        { question, today: now().toISOString().slice(0, 10), ruleSchema: RULE_SCHEMA },
        { businessId, userId: principal.userId },
      );
      const builtin = generatedBy.provider === BUILTIN;
      if (value.rule === null) {
        throw cannotAsk(
          value.unsupported ??
            'The question cannot be expressed with the conditions customers can be filtered by.',
          { generatedBy },
        );
      }
      const parsed = SegmentRules.safeParse(value.rule);
      if (!parsed.success) {
        // Outside the allowlist: refused as it stands, never run.
        throw cannotAsk(
          'The question was turned into a filter Herald does not allow, so it was not run. Ask about what customers can be filtered by.',
          {
            generatedBy,
            issues: parsed.error.issues.slice(0, 10).map((issue) => ({
              path: issue.path.join('.'),
              message: issue.message,
            })),
          },
        );
      }
      const rule = parsed.data;
      const matched = await deps.segments.match(principal, businessId, rule, QUESTION_PAGE);
      const customers = await deps.customers.summaries(principal, businessId, matched.customerIds);
      const readable = describeRules(rule);
      return {
        rule,
        readable,
        count: matched.size,
        customers,
        summary: summarise(question, readable, matched.size, builtin),
        generatedBy: {
          ...generatedBy,
          note: builtin ? BUILTIN_NOTE : `Read by the model ${generatedBy.model}.`,
        },
      };
    },
  };
}

export type QuestionService = ReturnType<typeof createQuestionService>;
