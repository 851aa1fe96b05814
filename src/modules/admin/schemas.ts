// Request and response shapes of the instance administration API (/api/v1/admin).
import { z } from 'zod';

import { pageSchema } from '../../platform/http/pagination.ts';

export const AdminUser = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    isAdmin: z.boolean(),
    disabledAt: z.iso.datetime().nullable().describe('Set while the account is disabled'),
    createdAt: z.iso.datetime(),
    businessCount: z.number().int().describe('Businesses the user is a member of'),
    lastLoginAt: z.iso.datetime().nullable().describe('The last sign-in (or registration)'),
  })
  .meta({ id: 'AdminUser' });
export type AdminUser = z.infer<typeof AdminUser>;
export const AdminUserPage = pageSchema(AdminUser);

export const AdminUserParams = z.object({ userId: z.uuid() });

export const UpdateAdminUserBody = z
  .object({
    disabled: z
      .boolean()
      .optional()
      .describe('true: sign-ins end and API keys stop working at once; false: enabled again'),
    isAdmin: z.boolean().optional().describe('Make or unmake an instance administrator'),
  })
  .refine((body) => body.disabled !== undefined || body.isAdmin !== undefined, {
    message: 'Give disabled or isAdmin',
  });
export type UpdateAdminUserBody = z.infer<typeof UpdateAdminUserBody>;

export const AdminBusiness = z
  .object({
    id: z.uuid(),
    name: z.string(),
    ownerEmail: z.string(),
    memberCount: z.number().int(),
    aiDailyBudgetUsd: z
      .number()
      .nullable()
      .describe("The business's own daily AI budget; null uses the server default"),
    aiSpendTodayUsd: z.number().describe('AI spend since midnight UTC'),
    aiSpend30dUsd: z.number().describe('AI spend over the last 30 days'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AdminBusiness' });
export type AdminBusiness = z.infer<typeof AdminBusiness>;
export const AdminBusinessPage = pageSchema(AdminBusiness);

export const AdminBusinessParams = z.object({ businessId: z.uuid() });

export const UpdateAdminBusinessBody = z.object({
  aiDailyBudgetUsd: z
    .number()
    .min(0)
    .max(100_000)
    .multipleOf(0.01)
    .nullable()
    .describe('The daily AI budget in USD; null uses the server default'),
});
export type UpdateAdminBusinessBody = z.infer<typeof UpdateAdminBusinessBody>;

export const AdminOverview = z
  .object({
    users: z.number().int(),
    businesses: z.number().int(),
    jobs: z.object({
      queued: z.number().int(),
      running: z.number().int(),
      failedLast24h: z.number().int(),
    }),
    aiSpendTodayUsd: z.number().describe('AI spend of every business since midnight UTC'),
    aiDefaultDailyBudgetUsd: z
      .number()
      .describe('AI_DAILY_BUDGET_USD: the budget of a business that has none of its own'),
    registration: z.enum(['open', 'invite', 'closed']).describe('REGISTRATION'),
  })
  .meta({ id: 'AdminOverview' });
export type AdminOverview = z.infer<typeof AdminOverview>;
