// The instance administration: every account and business of the instance, AI spend per business,
// the job backlog; disabling an account (its sign-ins and API keys end at once) and setting a
// business's AI budget. Each function checks first that the caller is an active instance
// administrator (the users row, not cached: these are rare requests).
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { conflict, forbidden, found, notFound } from '../../platform/http/errors.ts';
import { type PaginationQuery, readPage } from '../../platform/http/pagination.ts';
import type { AccountAccess, AuditTrail, RequestOrigin } from '../auth/index.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import {
  type AdminBusinessRow,
  type AdminUserRow,
  type BusinessSpend,
  createAdminRepository,
} from './repository.ts';
import type {
  AdminBusiness,
  AdminOverview,
  AdminUser,
  UpdateAdminBusinessBody,
  UpdateAdminUserBody,
} from './schemas.ts';

const DAY_MS = 86_400_000;

const startOfUtcDay = (at: Date) =>
  new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));

/** A sum of ai_calls costs, rounded to their six decimals (no float noise in the answer). */
const usd = (value: number) => Math.round(value * 1_000_000) / 1_000_000;

function toAdminUser(row: AdminUserRow): AdminUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    isAdmin: row.isAdmin,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    businessCount: row.businessCount,
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
  };
}

function toAdminBusiness(row: AdminBusinessRow, spend: BusinessSpend | undefined): AdminBusiness {
  return {
    id: row.id,
    name: row.name,
    ownerEmail: row.ownerEmail,
    memberCount: row.memberCount,
    aiDailyBudgetUsd: row.aiDailyBudgetUsd === null ? null : Number(row.aiDailyBudgetUsd),
    aiSpendTodayUsd: usd(spend?.todayUsd ?? 0),
    aiSpend30dUsd: usd(spend?.last30dUsd ?? 0),
    createdAt: row.createdAt.toISOString(),
  };
}

export function createAdminService(deps: {
  db: Database;
  audit: AuditTrail;
  /** Ends and restores a disabled account's sign-ins and API keys (auth). */
  accounts: AccountAccess;
  access: Pick<BusinessAccess, 'forget'>;
  config: { registration: AdminOverview['registration']; defaultDailyBudgetUsd: number };
  now?: () => Date;
}) {
  const { audit, accounts, access, config } = deps;
  const repository = createAdminRepository(deps.db);
  const now = deps.now ?? (() => new Date());

  async function requireAdmin(principal: Principal): Promise<void> {
    if (principal.businessId !== undefined) {
      throw forbidden('A business API key cannot use the instance administration');
    }
    if (!(await repository.isActiveAdmin(principal.userId))) {
      throw forbidden('Only an instance administrator may do this');
    }
  }

  async function spendOf(ids: string[]): Promise<Map<string, BusinessSpend>> {
    const at = now();
    return repository.spendOf(ids, startOfUtcDay(at), new Date(at.getTime() - 30 * DAY_MS));
  }

  return {
    async listUsers(principal: Principal, query: PaginationQuery) {
      await requireAdmin(principal);
      return readPage(query, (page) => repository.listUsers(page), toAdminUser);
    },

    /**
     * Disables or enables an account, makes or unmakes an administrator. An administrator cannot
     * disable their own account, and the instance always keeps one active administrator (409).
     */
    async updateUser(
      principal: Principal,
      userId: string,
      body: UpdateAdminUserBody,
      origin: RequestOrigin,
    ): Promise<AdminUser> {
      await requireAdmin(principal);
      if (body.disabled === true && userId === principal.userId) {
        throw conflict('You cannot disable your own account');
      }
      const before = await repository.findUser(userId);
      const updated = found(
        await repository.updateUser(userId, body, (target, otherActiveAdmins) => {
          const staysActiveAdmin =
            (body.isAdmin ?? target.isAdmin) && !(body.disabled ?? target.disabledAt !== null);
          const wasActiveAdmin = target.isAdmin && target.disabledAt === null;
          if (wasActiveAdmin && !staysActiveAdmin && otherActiveAdmins === 0) {
            throw conflict('The instance needs at least one active administrator');
          }
        }),
        'User',
      );
      const wasDisabled = before?.disabledAt != null;
      if (body.disabled === true && !wasDisabled) {
        await accounts.endAccessOf(userId);
        // The membership cache would answer for 30 s more; the refusals above come first, but
        // nothing should remember this account as a member.
        for (const businessId of await repository.businessIdsOf(userId)) {
          await access.forget(businessId, userId);
        }
      }
      if (body.disabled === false && wasDisabled) await accounts.restoreAccessOf(userId);
      const events = [
        body.disabled === undefined || body.disabled === wasDisabled
          ? undefined
          : body.disabled
            ? ('account.disabled' as const)
            : ('account.enabled' as const),
        body.isAdmin === undefined || body.isAdmin === before?.isAdmin
          ? undefined
          : body.isAdmin
            ? ('account.admin_granted' as const)
            : ('account.admin_revoked' as const),
      ];
      for (const action of events) {
        if (action) {
          await audit.record({
            action,
            outcome: 'success',
            userId: updated.id,
            origin,
            details: { by: principal.userId },
          });
        }
      }
      return toAdminUser(found(await repository.findUser(userId), 'User'));
    },

    async listBusinesses(principal: Principal, query: PaginationQuery) {
      await requireAdmin(principal);
      const rows = await readPage(
        query,
        (page) => repository.listBusinesses(page),
        (row) => row,
      );
      const spend = await spendOf(rows.items.map((row) => row.id));
      return {
        items: rows.items.map((row) => toAdminBusiness(row, spend.get(row.id))),
        nextCursor: rows.nextCursor,
      };
    },

    async setBusinessBudget(
      principal: Principal,
      businessId: string,
      body: UpdateAdminBusinessBody,
      origin: RequestOrigin,
    ): Promise<AdminBusiness> {
      await requireAdmin(principal);
      const budget = body.aiDailyBudgetUsd === null ? null : body.aiDailyBudgetUsd.toFixed(2);
      if (!(await repository.setBudget(businessId, budget))) throw notFound('Business');
      await audit.record({
        action: 'admin.business_budget_set',
        outcome: 'success',
        userId: principal.userId,
        businessId,
        origin,
        details: { aiDailyBudgetUsd: body.aiDailyBudgetUsd },
      });
      const row = found(await repository.findBusiness(businessId), 'Business');
      return toAdminBusiness(row, (await spendOf([businessId])).get(businessId));
    },

    async overview(principal: Principal): Promise<AdminOverview> {
      await requireAdmin(principal);
      const at = now();
      const counts = await repository.counts(new Date(at.getTime() - DAY_MS), startOfUtcDay(at));
      return {
        users: counts.users,
        businesses: counts.businesses,
        jobs: {
          queued: counts.jobsQueued,
          running: counts.jobsRunning,
          failedLast24h: counts.jobsFailedSince,
        },
        aiSpendTodayUsd: usd(counts.aiSpendSinceUsd),
        aiDefaultDailyBudgetUsd: config.defaultDailyBudgetUsd,
        registration: config.registration,
      };
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
