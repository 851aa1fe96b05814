// Every task Herald asks a model for, declared once: its name (in ai_calls, metrics and the
// prompt), tier, prompt, builtin template, the input its prompt and template read, and the
// schema its answer must pass. `ai.run` takes a task object, not a name, so a misspelt task is
// a type error rather than a model asked without instructions.
// A task whose answer a module's own rules shape (a platform's limits, a campaign's dates) is
// declared without a schema; the module gives it one per call with `withOutput`.
import { z } from 'zod';

import { chatLearningsPrompt, chatRoutePrompt, chatSummaryPrompt } from './prompts/agents.ts';
import { brandVoicePrompt } from './prompts/brand-voice.ts';
import {
  campaignInsightsPrompt,
  campaignStrategyPrompt,
  contentPiecePrompt,
} from './prompts/campaigns.ts';
import { customerQuestionPrompt } from './prompts/customer-questions.ts';
import { emailVariantsPrompt } from './prompts/email-variants.ts';
import type { TaskPrompt } from './prompts/index.ts';
import { runInsightPrompt } from './prompts/run-insight.ts';
import { sequenceDraftPrompt } from './prompts/sequences.ts';
import {
  chatLearningsTemplate,
  chatRouteTemplate,
  chatSummaryTemplate,
} from './providers/builtin-agents.ts';
import {
  campaignInsightsTemplate,
  campaignStrategyTemplate,
  contentPieceTemplate,
} from './providers/builtin-campaigns.ts';
import { runInsightTemplate } from './providers/builtin-insight.ts';
import { customerQuestionTemplate } from './providers/builtin-questions.ts';
import { sequenceDraftTemplate } from './providers/builtin-sequences.ts';
import { brandVoiceTemplate, type TemplateContext } from './providers/builtin-templates.ts';
import { emailVariantsTemplate } from './providers/builtin-variants.ts';
import type { Tier } from './types.ts';

/** A task's input: JSON the prompt shows the model in its task_input data block. */
export type TaskInput = Record<string, unknown>;

interface TaskParts<Input extends TaskInput> {
  /** Stored in ai_calls.task and used as a metrics label: keep it stable. */
  readonly name: string;
  readonly tier: Tier;
  readonly prompt: TaskPrompt;
  /** The builtin provider's hand-written answer; without one it fills the schema. */
  readonly builtin?: (context: TemplateContext<Input>) => unknown;
}

export interface AiTask<Input extends TaskInput, Output> extends TaskParts<Input> {
  /** The answer's schema: a model's answer is parsed, repaired and checked against it. */
  readonly output: z.ZodType<Output>;
}

/** A task whose answer's schema each call gives. */
export interface OpenTask<Input extends TaskInput> extends TaskParts<Input> {
  withOutput<Output>(schema: z.ZodType<Output>): AiTask<Input, Output>;
}

export function defineTask<Input extends TaskInput, Output>(
  task: AiTask<Input, Output>,
): AiTask<Input, Output>;
export function defineTask<Input extends TaskInput>(task: TaskParts<Input>): OpenTask<Input>;
export function defineTask<Input extends TaskInput, Output>(
  task: TaskParts<Input> | AiTask<Input, Output>,
): AiTask<Input, Output> | OpenTask<Input> {
  if ('output' in task) return task;
  return { ...task, withOutput: (output) => ({ ...task, output }) };
}

// "Suggest a brand voice" (businesses): from the profile and the marketer's notes.

export const BrandVoiceSuggestion = z
  .object({
    tone: z.string().min(3).max(300),
    wordsToUse: z.array(z.string().min(1).max(60)).min(3).max(12),
    wordsToAvoid: z.array(z.string().min(1).max(60)).min(3).max(12),
    sampleLines: z.array(z.string().min(5).max(280)).min(2).max(4),
    rationale: z.string().min(3).max(600),
  })
  .meta({ id: 'BrandVoiceSuggestion' });
export type BrandVoiceSuggestion = z.infer<typeof BrandVoiceSuggestion>;

export const brandVoiceTask = defineTask<{ notes: string }, BrandVoiceSuggestion>({
  name: 'brand-voice',
  tier: 'fast',
  prompt: brandVoicePrompt,
  builtin: brandVoiceTemplate,
  output: BrandVoiceSuggestion,
});

// "Draft an email sequence" (sequences): a whole drip sequence toward a goal.

export const SequenceDraft = z
  .object({
    name: z.string().min(1).max(200),
    steps: z
      .array(
        z.object({
          delayDays: z.number().int().min(0).max(60),
          subject: z.string().min(1).max(200),
          preheader: z.string().max(200),
          html: z.string().min(1).max(20_000),
          text: z.string().min(1).max(20_000),
        }),
      )
      .min(1)
      .max(10),
    rationale: z.string().max(1000),
  })
  .meta({ id: 'SequenceDraft' });
export type SequenceDraft = z.infer<typeof SequenceDraft>;

export const sequenceDraftTask = defineTask<
  { goal: string; steps: number; cadenceDays: number },
  SequenceDraft
>({
  name: 'sequence-draft',
  tier: 'fast',
  prompt: sequenceDraftPrompt,
  builtin: sequenceDraftTemplate,
  output: SequenceDraft,
});

// A campaign's strategy (campaigns): its schema holds the calendar to the campaign's dates and
// channels, so campaigns gives it per call.

export const campaignStrategyTask = defineTask<{
  campaign: {
    name: string;
    goal: string;
    audience: string | null;
    channels: string[];
    budgetCents: number | null;
    startDate: string;
    endDate: string;
  };
  notes: string;
}>({
  name: 'campaign-strategy',
  tier: 'strong',
  prompt: campaignStrategyPrompt,
  builtin: campaignStrategyTemplate,
});

// One piece of content (content): its schema is its platform's, with the platform's limits.

export const contentPieceTask = defineTask<{
  platform: string;
  contentType: string;
  topic: string;
  callToAction: string;
  plannedDate: string | null;
  limits: Readonly<Record<string, number>>;
  campaign?: { name: string; goal: string; audience: string | null; keyMessages: string[] };
  notes: string;
}>({
  name: 'content-piece',
  tier: 'fast',
  prompt: contentPiecePrompt,
  builtin: contentPieceTemplate,
});

// A campaign's insight summary (analytics): from the campaign's figures.

export const CampaignInsight = z
  .object({
    summary: z.string().trim().min(10).max(1000),
    highlights: z.array(z.string().trim().min(3).max(300)).min(1).max(6),
    recommendations: z.array(z.string().trim().min(3).max(300)).min(1).max(6),
  })
  .meta({ id: 'CampaignInsight' });
export type CampaignInsight = z.infer<typeof CampaignInsight>;

export const campaignInsightsTask = defineTask<
  {
    campaign: { name: string; goal: string; status: string };
    totals: Readonly<Record<string, number | null>>;
    byPlatform: readonly Record<string, unknown>[];
    topContent: readonly Record<string, unknown>[];
  },
  CampaignInsight
>({
  name: 'campaign-insights',
  tier: 'strong',
  prompt: campaignInsightsPrompt,
  builtin: campaignInsightsTemplate,
  output: CampaignInsight,
});

// A/B variants of an email (broadcasts): other subject lines and/or bodies. The module gives the
// schema per call: it checks each variant's Liquid as a saved email's, so a variant that would
// not render is refused (and the model asked again) rather than returned.

export const emailVariantsTask = defineTask<{
  subject: string;
  body: string | null;
  count: number;
  vary: 'subject' | 'content' | 'both';
  goal: string;
}>({
  name: 'email-variants',
  tier: 'fast',
  prompt: emailVariantsPrompt,
  builtin: emailVariantsTemplate,
});

// The narrative of a customer intelligence run (intelligence): headline, one or two paragraphs
// and the top actions, from the run's figures. The module gives the schema per call: it holds
// the grounding check, which refuses (and retries) an answer with a number not in the figures.

export const RunInsight = z
  .object({
    headline: z.string().trim().min(5).max(200),
    narrative: z
      .string()
      .trim()
      .min(40)
      .max(2000)
      .refine((text) => text.split(/\n\s*\n/).length <= 2, 'one or two paragraphs'),
    actions: z
      .array(
        z.object({
          title: z.string().trim().min(3).max(120),
          why: z.string().trim().min(10).max(500),
        }),
      )
      .min(1)
      .max(3),
  })
  .meta({ id: 'RunInsight' });
export type RunInsight = z.infer<typeof RunInsight>;

type Counts = Readonly<Record<string, number>>;

/** A run's figures as the narrative reads them (intelligence RunFigures, without the histogram). */
export interface InsightFigures {
  rfmSegments: Counts;
  churnTiers: Counts | null;
  clv: { totalCents: number; percentiles: Counts } | null;
  atRisk: { customers: number; historicalRevenueCents: number; clvCents: number } | null;
}

export type RunInsightInput = {
  /** ISO 4217; amounts are in its minor units. */
  currency: string;
  asOf: string;
  previousAsOf: string | null;
  horizon: { days: number; months?: number };
  annualDiscountRate: number;
  model: {
    fittedAt: string;
    predictive: boolean;
    reasons: readonly string[];
    counts: Counts;
    thresholds: Counts;
  };
  figures: InsightFigures;
  /** Since the previous run (null for the first). */
  changes: {
    rfmSegments: Counts;
    movements: readonly { from: string; to: string; customers: number }[];
    newCustomers: number;
  } | null;
  previousFigures: InsightFigures | null;
  /** Before and after of the headline figures (null for the first run). */
  sincePrevious: Readonly<Record<string, Counts>> | null;
  /** Shares and relative changes, computed by Herald (fractions 0–1), for the text to cite. */
  ratios: Readonly<Record<string, number | Counts>>;
};

export const runInsightTask = defineTask<RunInsightInput>({
  name: 'intelligence-insight',
  tier: 'strong',
  prompt: runInsightPrompt,
  builtin: runInsightTemplate,
});

// A question about the customers in plain words (intelligence): the segment rule that answers it,
// or why none can. The rule document is segments' own, so the module gives the answer's schema
// per call and validates the rule itself; the builtin provider parses a fixed grammar.

export const customerQuestionTask = defineTask<{
  question: string;
  /** Today's date (UTC), for questions with dates. */
  today: string;
  /** The JSON schema the rule must match. */
  ruleSchema: unknown;
}>({
  name: 'customer-question',
  tier: 'strong',
  prompt: customerQuestionPrompt,
  builtin: customerQuestionTemplate,
});

// The marketing agents (modules/agents): the conductor's routing, a long session's summary, and
// the facts worth remembering from a conversation.

export const ChatRoute = z
  .object({
    specialists: z.array(z.string().min(1).max(40)).min(1).max(3),
    reasoning: z.string().min(1).max(600),
  })
  .meta({ id: 'ChatRoute' });
export type ChatRoute = z.infer<typeof ChatRoute>;

export const chatRouteTask = defineTask<
  {
    message: string;
    summary: string | null;
    recent: { role: string; content: string }[];
    learnings: string[];
    specialists: { name: string; description: string }[];
  },
  ChatRoute
>({
  name: 'chat-route',
  tier: 'fast',
  prompt: chatRoutePrompt,
  builtin: chatRouteTemplate,
  output: ChatRoute,
});

export const ChatSummary = z.object({ summary: z.string().min(1).max(4000) });

export const chatSummaryTask = defineTask<
  { previousSummary: string | null; messages: { role: string; content: string }[] },
  z.infer<typeof ChatSummary>
>({
  name: 'chat-summary',
  tier: 'fast',
  prompt: chatSummaryPrompt,
  builtin: chatSummaryTemplate,
  output: ChatSummary,
});

export const ChatLearnings = z.object({
  learnings: z.array(z.string().min(3).max(300)).max(5),
});

export const chatLearningsTask = defineTask<
  { messages: { role: string; content: string }[]; known: string[] },
  z.infer<typeof ChatLearnings>
>({
  name: 'chat-learnings',
  tier: 'fast',
  prompt: chatLearningsPrompt,
  builtin: chatLearningsTemplate,
  output: ChatLearnings,
});
