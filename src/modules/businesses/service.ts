// Business profiles: the brand context every AI prompt is built from, the tracking write key, and
// the AI job that suggests a brand voice (businesses/jobs.ts runs it).
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { forbidden, found } from '../../platform/http/errors.ts';
import { type PaginationQuery, readPage } from '../../platform/http/pagination.ts';
import { isRole, PERMISSIONS, roleAllows } from '../../shared/permissions.ts';
import { type AuditTrail, randomToken, type RequestOrigin } from '../auth/index.ts';
import type { Job, JobService } from '../jobs/index.ts';
import type { BusinessAccess, Membership } from './access.ts';
import { type BusinessRow, createBusinessRepository, type NewBusiness } from './repository.ts';
import type {
  BrandVoiceRequest,
  Business,
  CreateBusinessBody,
  UpdateBusinessBody,
} from './schemas.ts';

export const BRAND_VOICE_JOB = 'ai.brand-voice';

export function toBusiness(row: BusinessRow, membership: Membership): Business {
  return {
    id: row.id,
    name: row.name,
    industry: row.industry,
    audience: row.audience,
    products: row.products,
    goals: row.goals,
    brandVoice: row.brandVoice,
    channels: row.channels,
    timezone: row.timezone,
    defaultSender: row.defaultSender ?? null,
    aiDailyBudgetUsd: row.aiDailyBudgetUsd === null ? null : Number(row.aiDailyBudgetUsd),
    writeKey: row.writeKey,
    role: membership.role,
    approver: membership.approver,
    permissions: PERMISSIONS.filter((permission) =>
      roleAllows(membership.role, permission, membership.approver),
    ),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function columnsOf(body: UpdateBusinessBody): Partial<NewBusiness> {
  const { aiDailyBudgetUsd, ...rest } = body;
  return {
    ...rest,
    ...(aiDailyBudgetUsd === undefined
      ? {}
      : { aiDailyBudgetUsd: aiDailyBudgetUsd === null ? null : aiDailyBudgetUsd.toFixed(2) }),
  };
}

const OWNER: Membership = { role: 'owner', approver: false };

const newWriteKey = () => randomToken('wk', 24);

export function createBusinessService(deps: {
  db: Database;
  access: BusinessAccess;
  audit: AuditTrail;
  jobs: Pick<JobService, 'start'>;
  /** How long a rotated-out write key keeps working (config WRITE_KEY_GRACE_HOURS). */
  writeKeyGraceHours: number;
}) {
  const { access, audit } = deps;
  const repository = createBusinessRepository(deps.db);

  return {
    async create(
      principal: Principal,
      body: CreateBusinessBody,
      origin: RequestOrigin,
    ): Promise<Business> {
      if (principal.businessId !== undefined) {
        throw forbidden('A business API key cannot create businesses');
      }
      const row = await repository.insertWithOwner({
        ...columnsOf(body),
        name: body.name,
        ownerId: principal.userId,
        writeKey: newWriteKey(),
      });
      await audit.record({
        action: 'business.created',
        outcome: 'success',
        userId: principal.userId,
        businessId: row.id,
        origin,
      });
      return toBusiness(row, OWNER);
    },

    /** The businesses the principal is a member of, each with the principal's role. */
    async list(principal: Principal, query: PaginationQuery) {
      return readPage(
        query,
        (page) => repository.listForMember(principal.userId, page, principal.businessId),
        (row) =>
          toBusiness(row, { role: isRole(row.role) ? row.role : 'viewer', approver: row.approver }),
      );
    },

    async get(principal: Principal, businessId: string): Promise<Business> {
      const membership = await access.require(principal, businessId, 'business.read');
      return toBusiness(found(await repository.findById(businessId), 'Business'), membership);
    },

    async update(
      principal: Principal,
      businessId: string,
      body: UpdateBusinessBody,
    ): Promise<Business> {
      const membership = await access.require(principal, businessId, 'business.manage');
      const row = found(await repository.update(businessId, columnsOf(body)), 'Business');
      return toBusiness(row, membership);
    },

    async remove(principal: Principal, businessId: string, origin: RequestOrigin): Promise<void> {
      await access.require(principal, businessId, 'business.delete');
      const { row, memberIds } = found(await repository.delete(businessId), 'Business');
      for (const userId of memberIds) await access.forget(businessId, userId);
      await audit.record({
        action: 'business.deleted',
        outcome: 'success',
        userId: principal.userId,
        businessId,
        origin,
        details: { name: row.name },
      });
    },

    async rotateWriteKey(
      principal: Principal,
      businessId: string,
      origin: RequestOrigin,
    ): Promise<Business> {
      const membership = await access.require(principal, businessId, 'business.manage');
      const row = found(
        await repository.rotateWriteKey(businessId, newWriteKey(), deps.writeKeyGraceHours),
        'Business',
      );
      await audit.record({
        action: 'business.write_key_rotated',
        outcome: 'success',
        userId: principal.userId,
        businessId,
        origin,
        details: { previousKeyValidHours: deps.writeKeyGraceHours },
      });
      return toBusiness(row, membership);
    },

    /** Starts the job that suggests a brand voice; nothing is saved until the marketer PATCHes. */
    async suggestBrandVoice(
      principal: Principal,
      businessId: string,
      body: BrandVoiceRequest,
    ): Promise<Job> {
      // jobs.start checks the permission (content.write).
      return deps.jobs.start(principal, businessId, BRAND_VOICE_JOB, body);
    },
  };
}

export type BusinessService = ReturnType<typeof createBusinessService>;
