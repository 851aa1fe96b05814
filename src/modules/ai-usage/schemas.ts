import { z } from 'zod';

const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

export const AiUsageQuery = z
  .object({
    from: z.iso
      .date()
      .optional()
      .describe('First UTC day (YYYY-MM-DD), inclusive; default 29 days before `to`'),
    to: z.iso.date().optional().describe('Last UTC day (YYYY-MM-DD), inclusive; default today'),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    message: '`from` must not be after `to`',
    path: ['from'],
  })
  .refine(
    (query) =>
      !query.from ||
      !query.to ||
      (Date.parse(query.to) - Date.parse(query.from)) / DAY_MS < MAX_DAYS,
    { message: `at most ${MAX_DAYS} days at a time`, path: ['to'] },
  );
export type AiUsageQuery = z.infer<typeof AiUsageQuery>;

const figures = {
  calls: z.number().int().describe('Model attempts recorded (retries and refusals included)'),
  succeeded: z.number().int().describe('Attempts that returned a valid answer'),
  ungrounded: z
    .number()
    .int()
    .describe(
      'Answers refused because they stated a number that is not one of the figures the model was given (the call was retried); AI insights are checked this way',
    ),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costUsd: z.number().describe('US dollars, from the per-model price table'),
};

export const UsageFigures = z.object(figures);
export type UsageFigures = z.infer<typeof UsageFigures>;

export const AiBudget = z
  .object({
    dailyBudgetUsd: z.number(),
    source: z
      .enum(['business', 'default'])
      .describe("`business`: the business's aiDailyBudgetUsd; `default`: AI_DAILY_BUDGET_USD"),
    spentTodayUsd: z.number(),
    remainingTodayUsd: z.number(),
    resetsAt: z.iso.datetime().describe('Next midnight UTC'),
  })
  .meta({ id: 'AiBudget' });

export const AiUsage = z
  .object({
    businessId: z.uuid(),
    from: z.iso.date(),
    to: z.iso.date(),
    totals: UsageFigures,
    byDay: z.array(z.object({ day: z.iso.date(), ...figures })).describe('Only days with calls'),
    byTask: z.array(z.object({ task: z.string(), ...figures })),
    byModel: z.array(z.object({ provider: z.string(), model: z.string(), ...figures })),
    budget: AiBudget,
  })
  .meta({ id: 'AiUsage' });
export type AiUsage = z.infer<typeof AiUsage>;

export const FEEDBACK_SUBJECT_KINDS = ['content', 'chat_message'] as const;
export const FeedbackSubjectKind = z
  .enum(FEEDBACK_SUBJECT_KINDS)
  .describe('`chat_message`: an agent reply; `content`: a content piece (its last AI draft)');
export type FeedbackSubjectKind = z.infer<typeof FeedbackSubjectKind>;

export const FeedbackBody = z
  .object({
    subjectKind: FeedbackSubjectKind,
    subjectId: z.uuid(),
    rating: z.union([z.literal(1), z.literal(-1)]).describe('1: thumbs up; -1: thumbs down'),
  })
  .meta({ id: 'AiFeedbackBody' });
export type FeedbackBody = z.infer<typeof FeedbackBody>;

export const FeedbackSubjectQuery = z.object({
  subjectKind: FeedbackSubjectKind,
  subjectId: z.uuid(),
});
export type FeedbackSubjectQuery = z.infer<typeof FeedbackSubjectQuery>;

export const MAX_FEEDBACK_SUBJECTS = 100;

export const FeedbackListQuery = z.object({
  subjectKind: FeedbackSubjectKind.optional().describe('Only ratings of this kind of subject'),
  subjectIds: z
    .string()
    .transform((value) => [...new Set(value.split(',').map((id) => id.trim()))])
    .pipe(z.array(z.uuid()).min(1).max(MAX_FEEDBACK_SUBJECTS))
    .optional()
    .describe(
      `Only ratings of these subjects: comma-separated ids, at most ${MAX_FEEDBACK_SUBJECTS}. Without it, your ${MAX_FEEDBACK_SUBJECTS} latest ratings.`,
    )
    .meta({ example: '00000000-0000-4000-8000-000000000000' }),
});
export type FeedbackListQuery = z.infer<typeof FeedbackListQuery>;

export const FeedbackList = z
  .object({
    items: z
      .array(
        z.object({
          subjectKind: FeedbackSubjectKind,
          subjectId: z.uuid(),
          rating: z.union([z.literal(1), z.literal(-1)]),
          createdAt: z.iso.datetime().describe('When the rating was given or last changed'),
        }),
      )
      .describe(
        "The caller's own ratings, latest first; a subject they have not rated is left out",
      ),
  })
  .meta({ id: 'AiFeedbackList' });
export type FeedbackList = z.infer<typeof FeedbackList>;

export const AiQualityQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_DAYS)
    .default(30)
    .describe('Ratings given and pieces approved in the last this many days (default 30)'),
});
export type AiQualityQuery = z.infer<typeof AiQualityQuery>;

export const AiQualityRow = z.object({
  task: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  promptVersion: z.string().nullable().describe('Herald keeps no prompt versions yet: null'),
  thumbsUp: z.number().int(),
  thumbsDown: z.number().int(),
  approved: z
    .number()
    .int()
    .describe(
      'AI-written content pieces approved in the period (their approved text unchanged since)',
    ),
  approvedUnedited: z.number().int().describe('Of those, approved with exactly the AI draft'),
  approvedUneditedShare: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe('approvedUnedited / approved; null with none approved'),
  meanEditDistance: z
    .number()
    .nullable()
    .describe('Characters changed between the last AI draft and the approved text, on average'),
  medianEditDistance: z.number().nullable(),
});
export type AiQualityRow = z.infer<typeof AiQualityRow>;

export const AiQuality = z
  .object({
    businessId: z.uuid(),
    days: z.number().int(),
    since: z.iso.datetime(),
    items: z
      .array(AiQualityRow)
      .describe(
        'One row per task, provider, model and prompt version, most rated and approved first',
      ),
  })
  .meta({ id: 'AiQuality' });
export type AiQuality = z.infer<typeof AiQuality>;
