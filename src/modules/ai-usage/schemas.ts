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
