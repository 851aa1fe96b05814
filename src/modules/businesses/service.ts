// Business profiles: the brand context every AI prompt is built from, the tracking write key, and
// the AI job that suggests a brand voice (businesses/jobs.ts runs it).
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { found, notFound } from '../../platform/http/errors.ts';
import { type PaginationQuery, readPage } from '../../platform/http/pagination.ts';
import { type AuditTrail, randomToken, type RequestOrigin } from '../auth/index.ts';
import type { Job, JobService } from '../jobs/index.ts';
import type { BusinessAccess } from './access.ts';
import { type BusinessRow, createBusinessRepository, type NewBusiness } from './repository.ts';
import type {
  BrandVoiceRequest,
  Business,
  CreateBusinessBody,
  UpdateBusinessBody,
} from './schemas.ts';

export const BRAND_VOICE_JOB = 'ai.brand-voice';

export function toBusiness(row: BusinessRow): Business {
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

const newWriteKey = () => randomToken('wk', 24);

export function createBusinessService(deps: {
  db: Database;
  access: BusinessAccess;
  audit: AuditTrail;
  jobs: Pick<JobService, 'start'>;
}) {
  const { access, audit } = deps;
  const repository = createBusinessRepository(deps.db);

  return {
    async create(
      principal: Principal,
      body: CreateBusinessBody,
      origin: RequestOrigin,
    ): Promise<Business> {
      const row = await repository.insert({
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
      return toBusiness(row);
    },

    async list(principal: Principal, query: PaginationQuery) {
      return readPage(query, (page) => repository.listOwned(principal.userId, page), toBusiness);
    },

    async get(principal: Principal, businessId: string): Promise<Business> {
      return toBusiness(await access.load(principal, businessId));
    },

    async update(
      principal: Principal,
      businessId: string,
      body: UpdateBusinessBody,
    ): Promise<Business> {
      const row = await repository.updateOwned(principal.userId, businessId, columnsOf(body));
      if (!row) throw notFound('Business');
      return toBusiness(row);
    },

    async remove(principal: Principal, businessId: string, origin: RequestOrigin): Promise<void> {
      const row = found(await repository.deleteOwned(principal.userId, businessId), 'Business');
      await access.forget(businessId, principal.userId);
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
      const row = await repository.updateOwned(principal.userId, businessId, {
        writeKey: newWriteKey(),
      });
      if (!row) throw notFound('Business');
      await audit.record({
        action: 'business.write_key_rotated',
        outcome: 'success',
        userId: principal.userId,
        businessId,
        origin,
      });
      return toBusiness(row);
    },

    /** Starts the job that suggests a brand voice; nothing is saved until the marketer PATCHes. */
    async suggestBrandVoice(
      principal: Principal,
      businessId: string,
      body: BrandVoiceRequest,
    ): Promise<Job> {
      // jobs.start checks that the principal owns the business.
      return deps.jobs.start(principal, businessId, BRAND_VOICE_JOB, body);
    },
  };
}

export type BusinessService = ReturnType<typeof createBusinessService>;
