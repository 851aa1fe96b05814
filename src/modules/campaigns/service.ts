// Campaigns: CRUD under a business and the versioned strategies the AI writes for them. The
// strategy job stores a new version and turns every calendar entry into a content placeholder
// in one transaction (see jobs.ts). Every campaign answered carries its pieces' progress, counted
// by the content module for the whole page at once (progress.ts).
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, found, notFound } from '../../platform/http/errors.ts';
import { pageOf, pageRequest } from '../../platform/http/pagination.ts';
import type { Permission } from '../../shared/permissions.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import type { Job, JobService } from '../jobs/index.ts';
import { type CampaignPieceCounter, NO_PIECES } from './progress.ts';
import { type CampaignRow, createCampaignRepository, type StrategyRow } from './repository.ts';
import type {
  Campaign,
  CampaignListQuery,
  CampaignProgress,
  CreateCampaignBody,
  StrategyRequest,
  StrategyVersion,
  UpdateCampaignBody,
} from './schemas.ts';
import { Strategy } from './strategy.ts';

export const STRATEGY_JOB = 'ai.campaign-strategy';

export function toCampaign(row: CampaignRow, progress: CampaignProgress = NO_PIECES): Campaign {
  return {
    id: row.id,
    businessId: row.businessId,
    name: row.name,
    goal: row.goal,
    audience: row.audience,
    channels: row.channels,
    budgetCents: row.budgetCents,
    startDate: row.startDate,
    endDate: row.endDate,
    status: row.status,
    progress,
    strategyVersion: row.strategyVersion,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toStrategyVersion(row: StrategyRow): StrategyVersion {
  return {
    id: row.id,
    campaignId: row.campaignId,
    version: row.version,
    strategy: Strategy.parse(row.strategy),
    jobId: row.jobId,
    createdAt: row.createdAt.toISOString(),
  };
}

function checkDates(startDate: string | null, endDate: string | null): void {
  if (startDate && endDate && endDate < startDate) {
    throw new AppError('VALIDATION_ERROR', 'The campaign ends before it starts', {
      details: { issues: [{ path: 'body.endDate', message: 'must not be before startDate' }] },
    });
  }
}

export function createCampaignService(deps: {
  db: Database;
  access: BusinessAccess;
  jobs: Pick<JobService, 'start'>;
  pieces: CampaignPieceCounter;
}) {
  const { access } = deps;
  const repository = createCampaignRepository(deps.db);

  /** The campaigns with their progress: one count for all of them, however many. */
  async function withProgress(businessId: string, rows: CampaignRow[]): Promise<Campaign[]> {
    if (rows.length === 0) return [];
    const counts = await deps.pieces.count(
      businessId,
      rows.map((row) => row.id),
    );
    return rows.map((row) => toCampaign(row, counts.get(row.id)));
  }

  async function one(businessId: string, row: CampaignRow): Promise<Campaign> {
    const [campaign] = await withProgress(businessId, [row]);
    if (!campaign) throw new Error('a campaign went missing while counting its pieces');
    return campaign;
  }

  async function owned(
    principal: Principal,
    businessId: string,
    campaignId: string,
    permission: Permission,
  ) {
    await access.require(principal, businessId, permission);
    return found(await repository.find(businessId, campaignId), 'Campaign');
  }

  return {
    async create(
      principal: Principal,
      businessId: string,
      body: CreateCampaignBody,
    ): Promise<Campaign> {
      await access.require(principal, businessId, 'content.write');
      checkDates(body.startDate, body.endDate);
      // A new campaign has no pieces yet: nothing to count.
      return toCampaign(await repository.insert({ ...body, businessId }));
    },

    async list(principal: Principal, businessId: string, query: CampaignListQuery) {
      await access.require(principal, businessId, 'business.read');
      const rows = await repository.list(businessId, pageRequest(query), query.status);
      const page = pageOf(rows, query.limit);
      return { items: await withProgress(businessId, page.items), nextCursor: page.nextCursor };
    },

    async get(principal: Principal, businessId: string, campaignId: string): Promise<Campaign> {
      return one(businessId, await owned(principal, businessId, campaignId, 'business.read'));
    },

    async update(
      principal: Principal,
      businessId: string,
      campaignId: string,
      body: UpdateCampaignBody,
    ): Promise<Campaign> {
      const current = await owned(principal, businessId, campaignId, 'content.write');
      // A date sent as null clears it: only a date left out keeps the stored one.
      checkDates(
        body.startDate === undefined ? current.startDate : body.startDate,
        body.endDate === undefined ? current.endDate : body.endDate,
      );
      const row = found(await repository.update(businessId, campaignId, body), 'Campaign');
      return one(businessId, row);
    },

    async remove(principal: Principal, businessId: string, campaignId: string): Promise<void> {
      await access.require(principal, businessId, 'content.write');
      if (!(await repository.remove(businessId, campaignId))) throw notFound('Campaign');
    },

    async strategies(
      principal: Principal,
      businessId: string,
      campaignId: string,
    ): Promise<{ items: StrategyVersion[] }> {
      await owned(principal, businessId, campaignId, 'business.read');
      const rows = await repository.strategies(businessId, campaignId);
      return { items: rows.map(toStrategyVersion) };
    },

    async startStrategy(
      principal: Principal,
      businessId: string,
      campaignId: string,
      body: StrategyRequest,
    ): Promise<Job> {
      await owned(principal, businessId, campaignId, 'content.write');
      return deps.jobs.start(principal, businessId, STRATEGY_JOB, { campaignId, ...body });
    },
  };
}

export type CampaignService = ReturnType<typeof createCampaignService>;
