// The content studio: pieces with versioned bodies held to their platform's limits, the review
// workflow, scheduling (in the business's time zone, stored as UTC) and the publishing history.
// Publishing itself happens in the worker (publisher.ts).
import type { Database, Executor } from '../../platform/db/client.ts';
import { type HeraldEvents, noHeraldEvents } from '../../platform/events.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, conflict, found, notFound } from '../../platform/http/errors.ts';
import { type PaginationQuery, readPage } from '../../platform/http/pagination.ts';
import { type Permission, roleAllows } from '../../shared/permissions.ts';
import { type BusinessAccess, forbiddenFor, type Membership } from '../businesses/index.ts';
import { activateDraftCampaign, createCampaignLookup } from '../campaigns/index.ts';
import type { Job, JobService } from '../jobs/index.ts';
import { contentInReviewEvent } from './events.ts';
import { bodySchemaOf, type Platform } from './platforms.ts';
import {
  type ContentRepository,
  type ContentRow,
  type ContentVersionRow,
  createContentRepository,
  type NewContent,
  type PublicationRow,
  type PublishAttemptRow,
} from './repository.ts';
import type {
  BulkContentBody,
  BulkContentResult,
  ChannelTarget,
  Content,
  ContentListQuery,
  ContentStatus,
  CreateContentBody,
  GenerateRequest,
  PublishChannel,
  ScheduleBody,
  UpdateContentBody,
} from './schemas.ts';
import { assertMove, publishInstant, statusAfterEdit } from './workflow.ts';

export const CONTENT_JOB = 'ai.content-piece';
/** Writes every placeholder of a campaign that has no text yet. */
export const WRITE_ALL_JOB = 'ai.campaign-drafts';

export interface PublishWaker {
  /** Makes sure a worker looks for due pieces at `at`. */
  wake(at: Date): Promise<void>;
}

export function toContent(row: ContentRow): Content {
  const target = row.channelTarget as ChannelTarget | null;
  return {
    id: row.id,
    businessId: row.businessId,
    campaignId: row.campaignId,
    strategyVersion: row.strategyVersion,
    platform: row.platform,
    contentType: row.contentType,
    topic: row.topic,
    callToAction: row.callToAction,
    plannedDate: row.plannedDate,
    status: row.status as ContentStatus,
    body: row.body ?? null,
    currentVersion: row.currentVersion,
    channel: row.channel as PublishChannel,
    channelTarget: target
      ? {
          ...(target.url ? { url: target.url, hasSecret: Boolean(target.secret) } : {}),
          ...(target.webhookUrl ? { webhookUrl: target.webhookUrl } : {}),
          ...(target.recipients ? { recipients: target.recipients } : {}),
        }
      : null,
    publishAt: row.publishAt?.toISOString() ?? null,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    publishAttempts: row.publishAttempts,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const toVersion = (row: ContentVersionRow) => ({
  version: row.version,
  body: row.body,
  source: row.source as 'ai' | 'edit' | 'restore',
  jobId: row.jobId,
  createdAt: row.createdAt.toISOString(),
});

const toAttempt = (row: PublishAttemptRow) => ({
  id: row.id,
  contentId: row.contentId,
  attempt: row.attempt,
  channel: row.channel,
  outcome: row.outcome as 'success' | 'failed',
  statusCode: row.statusCode,
  error: row.error,
  recipients: row.recipients ?? null,
  worker: row.worker,
  durationMs: row.durationMs,
  createdAt: row.createdAt.toISOString(),
});

const toPublication = (row: PublicationRow) => ({
  id: row.id,
  contentId: row.contentId,
  channel: row.channel,
  payload: row.payload,
  createdAt: row.createdAt.toISOString(),
});

/** A body that passes its platform's schema, or VALIDATION_ERROR naming every violation. */
export function validBody(
  platform: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const parsed = bodySchemaOf(platform as Platform).safeParse(body);
  if (parsed.success) return parsed.data;
  throw new AppError('VALIDATION_ERROR', `The text does not fit ${platform}`, {
    details: {
      issues: parsed.error.issues.map((issue) => ({
        path: ['body', ...issue.path].join('.'),
        message: issue.message,
      })),
    },
  });
}

/**
 * Stores `body` as the version after the piece's current one and returns the columns that make
 * it current. Call it in the transaction that updates the piece, with the piece read under lock.
 */
export async function appendVersion(
  repository: ContentRepository,
  piece: Pick<ContentRow, 'businessId' | 'id' | 'currentVersion'>,
  body: Record<string, unknown>,
  origin: { source: 'ai' | 'edit' | 'restore'; jobId?: string },
): Promise<{ body: Record<string, unknown>; currentVersion: number }> {
  const version = piece.currentVersion + 1;
  await repository.insertVersion({
    businessId: piece.businessId,
    contentId: piece.id,
    version,
    body,
    ...origin,
  });
  return { body, currentVersion: version };
}

/**
 * Writes `values` to a piece read under lock and, when its status changes, records the move in
 * the review trail in the same transaction: `actorId` is the member who made it (null for the
 * system's own moves).
 */
export async function updatePiece(
  repository: ContentRepository,
  current: ContentRow,
  values: Partial<NewContent>,
  actorId: string | null,
): Promise<ContentRow | undefined> {
  const updated = await repository.update(current.businessId, current.id, values);
  if (updated && updated.status !== current.status) {
    await repository.insertTransition({
      businessId: current.businessId,
      contentId: current.id,
      fromStatus: current.status,
      toStatus: updated.status,
      actorId,
    });
  }
  return updated;
}

/**
 * A webhook target sent without its secret keeps the stored one: secrets are write-only, so a
 * client sending back the target it read (url only) must not turn signing off.
 */
function withStoredSecret(
  next: ChannelTarget | null,
  stored: ChannelTarget | null,
): ChannelTarget | null {
  return next && !next.secret && stored?.secret && next.url
    ? { ...next, secret: stored.secret }
    : next;
}

/** A channel's target must name where to send: checked when the piece is scheduled. */
function checkTarget(channel: PublishChannel, target: ChannelTarget | null): void {
  const missing =
    (channel === 'webhook' && !target?.url) ||
    (channel === 'slack' && !target?.webhookUrl) ||
    (channel === 'email' && !target?.recipients?.length);
  if (missing) {
    throw new AppError('VALIDATION_ERROR', `The ${channel} channel needs a target`, {
      details: {
        issues: [
          {
            path: 'body.channelTarget',
            message:
              channel === 'webhook'
                ? 'set url (and a secret to sign with)'
                : channel === 'slack'
                  ? 'set webhookUrl'
                  : 'set recipients',
          },
        ],
      },
    });
  }
}

/**
 * Plain http:// leaves the signed payload readable on the way: only where the server allows
 * private targets for development (PUBLISH_WEBHOOK_ALLOW_PRIVATE). The schema refuses the rest.
 */
function checkTargetScheme(target: ChannelTarget | null | undefined, allowPlainHttp: boolean) {
  if (allowPlainHttp || !target) return;
  for (const field of ['url', 'webhookUrl'] as const) {
    const value = target[field];
    if (value && !/^https:/i.test(value)) {
      const message =
        'must be an https:// URL (plain http:// only with PUBLISH_WEBHOOK_ALLOW_PRIVATE=true, for development)';
      throw new AppError(
        'VALIDATION_ERROR',
        `Invalid request: body.channelTarget.${field}: ${message}`,
        {
          details: { issues: [{ path: `body.channelTarget.${field}`, message }] },
        },
      );
    }
  }
}

export function createContentService(deps: {
  db: Database;
  access: BusinessAccess;
  jobs: Pick<JobService, 'start' | 'unfinished'>;
  publisher: PublishWaker;
  /** Accept plain http:// webhook and Slack targets (development; default false). */
  allowPlainHttpTargets?: boolean;
  /** content.in_review, in the transaction that moves the piece. */
  events?: HeraldEvents;
}) {
  const { access, db } = deps;
  const events = deps.events ?? noHeraldEvents;
  const allowPlainHttp = deps.allowPlainHttpTargets ?? false;
  const repository = createContentRepository(db);

  async function owned(
    principal: Principal,
    businessId: string,
    contentId: string,
    permission: Permission = 'business.read',
  ) {
    await access.require(principal, businessId, permission);
    return found(await repository.find(businessId, contentId), 'Content');
  }

  /** Changes a piece under a row lock, so two requests cannot both pass the same check. */
  async function change(
    principal: Principal,
    businessId: string,
    contentId: string,
    decide: (
      row: ContentRow,
      locked: ReturnType<typeof createContentRepository>,
      tx: Executor,
      membership: Membership,
    ) => Promise<Partial<NewContent>>,
    permission: Permission = 'content.write',
  ): Promise<ContentRow> {
    const membership = await access.require(principal, businessId, permission);
    return db.transaction(async (tx) => {
      const locked = createContentRepository(tx);
      const row = found(await locked.find(businessId, contentId, true), 'Content');
      const values = await decide(row, locked, tx, membership);
      const updated = found(await updatePiece(locked, row, values, principal.userId), 'Content');
      if (updated.status === 'in_review' && row.status !== 'in_review') {
        const entry = await locked.reviewEntries(businessId, contentId);
        await events.publish(tx, contentInReviewEvent(updated, entry));
      }
      return updated;
    });
  }

  /**
   * Approves a piece in one step from where a reviewer sees it: in review, or a draft with its
   * text (submitted and approved at once) — each step held to the workflow's table.
   */
  async function approve(principal: Principal, businessId: string, contentId: string) {
    return change(
      principal,
      businessId,
      contentId,
      (current) => {
        const from = current.status as ContentStatus;
        if (from === 'draft') assertMove('draft', 'in_review');
        assertMove(from === 'draft' ? 'in_review' : from, 'approved');
        if (!current.body) {
          throw conflict('Write or generate the text before review', { status: current.status });
        }
        return Promise.resolve({ status: 'approved', publishAt: null, leaseUntil: null });
      },
      'content.approve',
    );
  }

  const service = {
    async create(
      principal: Principal,
      businessId: string,
      body: CreateContentBody,
    ): Promise<Content> {
      await access.require(principal, businessId, 'content.write');
      if (body.campaignId) {
        const campaign = await createCampaignLookup(db).find(businessId, body.campaignId);
        if (!campaign) throw notFound('Campaign');
      }
      const text = body.body ? validBody(body.platform, body.body) : null;
      const row = await db.transaction(async (tx) => {
        const repo = createContentRepository(tx);
        const inserted = await repo.insert({
          businessId,
          campaignId: body.campaignId,
          platform: body.platform,
          contentType: body.contentType,
          topic: body.topic,
          callToAction: body.callToAction,
          plannedDate: body.plannedDate,
          createdBy: principal.userId,
        });
        if (!text) return inserted;
        const first = await appendVersion(repo, inserted, text, { source: 'edit' });
        return (await repo.update(businessId, inserted.id, first)) ?? inserted;
      });
      return toContent(row);
    },

    async list(principal: Principal, businessId: string, query: ContentListQuery) {
      await access.require(principal, businessId, 'business.read');
      return readPage(query, (page) => repository.list(businessId, page, query), toContent);
    },

    async get(principal: Principal, businessId: string, contentId: string): Promise<Content> {
      return toContent(await owned(principal, businessId, contentId));
    },

    async update(
      principal: Principal,
      businessId: string,
      contentId: string,
      body: UpdateContentBody,
    ): Promise<Content> {
      const row = await change(principal, businessId, contentId, async (current, tx) => {
        const status = current.status as ContentStatus;
        const { body: text, channelTarget, ...fields } = body;
        checkTargetScheme(channelTarget, allowPlainHttp);
        const values: Partial<NewContent> = { ...fields };
        if (channelTarget !== undefined) {
          values.channelTarget = withStoredSecret(channelTarget, current.channelTarget);
        }
        const textChanges =
          text !== undefined ||
          fields.topic !== undefined ||
          fields.callToAction !== undefined ||
          fields.contentType !== undefined;
        if (textChanges || body.channel !== undefined || channelTarget !== undefined) {
          const next = statusAfterEdit(status);
          if (next !== status) {
            values.status = next;
            values.publishAt = null;
          }
        }
        if (text === undefined) return values;
        const edited = validBody(current.platform, text);
        return { ...values, ...(await appendVersion(tx, current, edited, { source: 'edit' })) };
      });
      return toContent(row);
    },

    /** Who moved the piece from one status to another, and when, oldest first. */
    async transitions(principal: Principal, businessId: string, contentId: string) {
      await owned(principal, businessId, contentId);
      const rows = await repository.transitions(businessId, contentId);
      return {
        items: rows.map((row) => ({
          id: row.id,
          fromStatus: row.fromStatus as ContentStatus,
          toStatus: row.toStatus as ContentStatus,
          actor: row.actor,
          createdAt: row.createdAt.toISOString(),
        })),
      };
    },

    async remove(principal: Principal, businessId: string, contentId: string): Promise<void> {
      await access.require(principal, businessId, 'content.write');
      if (!(await repository.remove(businessId, contentId))) throw notFound('Content');
    },

    async versions(principal: Principal, businessId: string, contentId: string) {
      await owned(principal, businessId, contentId);
      return { items: (await repository.versions(businessId, contentId)).map(toVersion) };
    },

    /** Makes an earlier version current again, as a new version (history is never rewritten). */
    async restore(
      principal: Principal,
      businessId: string,
      contentId: string,
      version: number,
    ): Promise<Content> {
      const row = await change(principal, businessId, contentId, async (current, tx) => {
        const next = statusAfterEdit(current.status as ContentStatus);
        const earlier = found(await tx.version(contentId, version), 'Version');
        return {
          ...(await appendVersion(tx, current, earlier.body, { source: 'restore' })),
          status: next,
          ...(next === current.status ? {} : { publishAt: null }),
        };
      });
      return toContent(row);
    },

    async setStatus(
      principal: Principal,
      businessId: string,
      contentId: string,
      status: 'draft' | 'in_review' | 'approved' | 'archived',
    ): Promise<Content> {
      const row = await change(
        principal,
        businessId,
        contentId,
        (current, _locked, _tx, membership) => {
          // Editors submit for review; approving is for approvers. Taking a scheduled piece back
          // to approved only unschedules it: its text was approved and has not changed since.
          const approving = status === 'approved' && current.status !== 'scheduled';
          if (approving && !roleAllows(membership.role, 'content.approve', membership.approver)) {
            throw forbiddenFor('content.approve', membership);
          }
          assertMove(current.status as ContentStatus, status);
          if ((status === 'in_review' || status === 'approved') && !current.body) {
            throw conflict('Write or generate the text before review', { status: current.status });
          }
          return Promise.resolve({ status, publishAt: null, leaseUntil: null });
        },
      );
      return toContent(row);
    },

    async schedule(
      principal: Principal,
      businessId: string,
      contentId: string,
      body: ScheduleBody,
    ): Promise<Content> {
      const business = await access.load(principal, businessId, 'content.write');
      const publishAt = publishInstant(body.publishAt, business.timezone);
      if (Number.isNaN(publishAt.getTime())) {
        throw new AppError('VALIDATION_ERROR', 'Invalid publish time', {
          details: { issues: [{ path: 'body.publishAt', message: 'not a real date and time' }] },
        });
      }
      const row = await change(principal, businessId, contentId, async (current, _locked, tx) => {
        assertMove(current.status as ContentStatus, 'scheduled');
        const channel = body.channel ?? (current.channel as PublishChannel);
        checkTargetScheme(body.channelTarget, allowPlainHttp);
        const stored = current.channelTarget as ChannelTarget | null;
        const target = body.channelTarget
          ? withStoredSecret(body.channelTarget, stored)
          : (stored ?? null);
        checkTarget(channel, target);
        // The campaign is under way once something of it is scheduled (campaigns' rule).
        if (current.campaignId) await activateDraftCampaign(tx, businessId, current.campaignId);
        return {
          status: 'scheduled',
          publishAt,
          channel,
          channelTarget: target,
          leaseUntil: null,
          publishAttempts: 0,
        };
      });
      await deps.publisher.wake(publishAt);
      return toContent(row);
    },

    async startGeneration(
      principal: Principal,
      businessId: string,
      contentId: string,
      body: GenerateRequest,
    ): Promise<Job> {
      const row = await owned(principal, businessId, contentId, 'content.write');
      statusAfterEdit(row.status as ContentStatus); // 409 for published or archived pieces
      return deps.jobs.start(principal, businessId, CONTENT_JOB, { contentId, ...body });
    },

    /**
     * Starts the job that writes every placeholder of the campaign still without text, or hands
     * back the one already writing them (one at a time per campaign).
     */
    async startWriteAll(
      principal: Principal,
      businessId: string,
      campaignId: string,
    ): Promise<Job> {
      await access.require(principal, businessId, 'content.write');
      const campaign = await createCampaignLookup(db).find(businessId, campaignId);
      if (!campaign) throw notFound('Campaign');
      const running = await deps.jobs.unfinished(businessId, WRITE_ALL_JOB, {
        field: 'campaignId',
        value: campaignId,
      });
      return running ?? deps.jobs.start(principal, businessId, WRITE_ALL_JOB, { campaignId });
    },

    /**
     * Approves or schedules many pieces, each through the single-piece rules in its own
     * transaction: a piece that cannot move is reported and the others go on.
     */
    async bulk(
      principal: Principal,
      businessId: string,
      body: BulkContentBody,
    ): Promise<BulkContentResult> {
      // As for one piece: the route's permission first, then approving's own.
      await access.require(principal, businessId, 'content.write');
      if (body.action === 'approve') await access.require(principal, businessId, 'content.approve');
      const items: BulkContentResult['items'] = [];
      for (const id of new Set(body.ids)) {
        try {
          const content =
            body.action === 'approve'
              ? toContent(await approve(principal, businessId, id))
              : await service.schedule(principal, businessId, id, { publishAt: body.publishAt });
          items.push({ id, ok: true, content });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          items.push({ id, ok: false, error: { code: error.code, message: error.message } });
        }
      }
      return { items };
    },

    async attempts(principal: Principal, businessId: string, contentId: string) {
      await owned(principal, businessId, contentId);
      return { items: (await repository.attempts(businessId, contentId)).map(toAttempt) };
    },

    async publications(principal: Principal, businessId: string, query: PaginationQuery) {
      await access.require(principal, businessId, 'business.read');
      return readPage(query, (page) => repository.publications(businessId, page), toPublication);
    },
  };
  return service;
}

export type ContentService = ReturnType<typeof createContentService>;
