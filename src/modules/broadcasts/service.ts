// Templates (and blocks) and broadcasts of a business: CRUD with Liquid checked at save, test
// sends, scheduling (approvers only, as activating a sequence), cancelling, the A/B winner by
// hand, analytics. Every function checks first that the caller may act on the business.
import { randomUUID } from 'node:crypto';

import { and, desc, eq, inArray, sql } from 'drizzle-orm';

import type { Database } from '../../platform/db/client.ts';
import { olderThan } from '../../platform/db/pagination.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import {
  broadcasts,
  type BroadcastVariant,
  emailTemplates,
  segments,
} from '../../platform/db/schema/index.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, conflict, found } from '../../platform/http/errors.ts';
import { pageOf, pageRequest, type PaginationQuery } from '../../platform/http/pagination.ts';
import type { Mailer } from '../../platform/mailer.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import {
  type RenderContext,
  renderForAuthor,
  SAMPLE_SUBSCRIBER,
  type TrackingLinks,
} from '../sequences/index.ts';
import { createEmailAudience } from '../subscribers/index.ts';
import { blocksOf } from './block-store.ts';
import { assertValidParts, expanded, partsOf } from './content.ts';
import { createBroadcastDispatchRepository, type VariantCounts } from './dispatch-repository.ts';
import type {
  Broadcast,
  BroadcastAnalytics,
  CreateBroadcastBody,
  Template,
  TemplateBody,
  TemplatePreviewBody,
  UpdateBroadcastBody,
  UpdateTemplateBody,
  VariantBody,
} from './schemas.ts';

type TemplateRow = typeof emailTemplates.$inferSelect;
type BroadcastRow = typeof broadcasts.$inferSelect;

const KEYS = ['A', 'B', 'C', 'D'] as const;
type Key = (typeof KEYS)[number];
const asKey = (value: string | null): Key | null =>
  KEYS.includes(value as Key) ? (value as Key) : null;

function badRequest(path: string, message: string): AppError {
  return new AppError('VALIDATION_ERROR', message, { details: { issues: [{ path, message }] } });
}

function toTemplate(row: TemplateRow): Template {
  return {
    id: row.id,
    businessId: row.businessId,
    kind: row.kind === 'block' ? 'block' : 'email',
    name: row.name,
    subject: row.subject,
    preheader: row.preheader,
    html: row.html,
    markdown: row.markdown,
    text: row.text,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const rate = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;

function withRates(row: Omit<VariantCounts, 'variant' | 'held' | 'open_delivered'>) {
  return {
    recipients: row.recipients,
    sent: row.sent,
    delivered: row.delivered,
    opened: row.opened,
    clicked: row.clicked,
    bounced: row.bounced,
    unsubscribed: row.unsubscribed,
    complained: row.complained,
    skipped: row.skipped,
    failed: row.failed,
    openRate: rate(row.opened, row.delivered),
    clickRate: rate(row.clicked, row.delivered),
    bounceRate: rate(row.bounced, row.sent),
    unsubscribeRate: rate(row.unsubscribed, row.delivered),
  };
}

export function createBroadcastService(deps: {
  db: Database;
  access: BusinessAccess;
  mailer: Mailer;
  tracking: TrackingLinks;
  defaultFrom: string;
  messageIdDomain: string;
  perMinute: number;
  now?: () => Date;
}) {
  const { db, access } = deps;
  const now = deps.now ?? (() => new Date());
  const dispatch = createBroadcastDispatchRepository(db);
  const audience = createEmailAudience(db);

  async function ownedTemplate(businessId: string, templateId: string): Promise<TemplateRow> {
    const [row] = await db
      .select()
      .from(emailTemplates)
      .where(and(eq(emailTemplates.businessId, businessId), eq(emailTemplates.id, templateId)));
    return found(row, 'Template');
  }

  async function ownedBroadcast(businessId: string, broadcastId: string): Promise<BroadcastRow> {
    const [row] = await db
      .select()
      .from(broadcasts)
      .where(and(eq(broadcasts.businessId, businessId), eq(broadcasts.id, broadcastId)));
    return found(row, 'Broadcast');
  }

  /** A block must not include itself, directly or through others (the depth bound catches loops). */
  async function checkedParts(
    businessId: string,
    body: Parameters<typeof partsOf>[0],
    blockName?: string,
  ) {
    const parts = partsOf(body);
    const blocks = await blocksOf(db, businessId);
    // A block is checked as it will be stored: including itself then nests past the bound.
    if (blockName !== undefined) blocks.set(blockName, { html: parts.html, text: parts.text });
    assertValidParts(parts, blocks);
    return parts;
  }

  async function assertUniqueName(businessId: string, kind: string, name: string, id?: string) {
    const [clash] = await db
      .select({ id: emailTemplates.id })
      .from(emailTemplates)
      .where(
        and(
          eq(emailTemplates.businessId, businessId),
          eq(emailTemplates.kind, kind),
          eq(emailTemplates.name, name),
        ),
      );
    if (clash && clash.id !== id)
      throw conflict(`A ${kind === 'block' ? 'block' : 'template'} named "${name}" already exists`);
  }

  async function variantsOf(
    businessId: string,
    bodies: VariantBody[],
  ): Promise<BroadcastVariant[]> {
    const blocks = await blocksOf(db, businessId);
    return bodies.map((body, index) => {
      const parts = partsOf(body);
      try {
        assertValidParts(parts, blocks);
      } catch (error) {
        if (error instanceof AppError) {
          const issues = (error.details.issues ?? []) as { path: string }[];
          for (const issue of issues)
            issue.path = issue.path.replace(/^body\./, `body.variants.${String(index)}.`);
        }
        throw error;
      }
      return { key: KEYS[index] ?? 'A', ...parts };
    });
  }

  function assertAbShape(variants: unknown[], abTest: unknown) {
    if (variants.length > 1 && !abTest)
      throw badRequest('body.abTest', 'two or more variants are an A/B test: give abTest');
    if (abTest && variants.length < 2)
      throw badRequest('body.variants', 'an A/B test needs 2 to 4 variants');
  }

  async function progressOf(ids: string[]): Promise<Map<string, { done: number; total: number }>> {
    const result = new Map<string, { done: number; total: number }>();
    if (ids.length === 0) return result;
    const rows = rowsOf<{ broadcast_id: string; status: string; n: number }>(
      await db.execute(sql`
        select broadcast_id, status, count(*)::int as n from broadcast_deliveries
        where broadcast_id = any(${`{${ids.join(',')}}`}::uuid[])
        group by broadcast_id, status`),
    );
    for (const row of rows) {
      const entry = result.get(row.broadcast_id) ?? { done: 0, total: 0 };
      entry.total += row.n;
      if (!['pending', 'held', 'claimed'].includes(row.status)) entry.done += row.n;
      result.set(row.broadcast_id, entry);
    }
    return result;
  }

  function estimatedFinish(
    row: BroadcastRow,
    progress: { done: number; total: number },
  ): string | null {
    if (row.status !== 'scheduled' && row.status !== 'sending') return null;
    const total = row.materializedAt ? progress.total : (row.recipientCount ?? 0);
    const remaining = Math.max(0, total - progress.done);
    const start = Math.max(now().getTime(), row.scheduledAt?.getTime() ?? now().getTime());
    const bySpeed = start + Math.ceil((remaining / Math.max(1, deps.perMinute)) * 60_000);
    const latest = Math.max(
      bySpeed,
      row.lastSendAt?.getTime() ?? 0,
      row.decideAt && !row.winner ? row.decideAt.getTime() + 60_000 : 0,
    );
    return new Date(latest).toISOString();
  }

  function toBroadcast(row: BroadcastRow, progress = { done: 0, total: 0 }): Broadcast {
    return {
      id: row.id,
      businessId: row.businessId,
      name: row.name,
      status:
        (['draft', 'scheduled', 'sending', 'sent', 'cancelled'] as const).find(
          (s) => s === row.status,
        ) ?? 'draft',
      templateId: row.templateId,
      variants: row.variants.map((variant) => ({ ...variant, key: asKey(variant.key) ?? 'A' })),
      audience: row.audience,
      from: row.sender,
      abTest: row.abTest,
      winner: asKey(row.winner),
      scheduledAt: row.scheduledAt?.toISOString() ?? null,
      localTime: row.localTime,
      decideAt: row.decideAt?.toISOString() ?? null,
      recipientCount: row.recipientCount,
      progress: row.materializedAt ? progress : { done: 0, total: row.recipientCount ?? 0 },
      estimatedFinishAt: estimatedFinish(row, progress),
      finishedAt: row.finishedAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  async function present(row: BroadcastRow): Promise<Broadcast> {
    return toBroadcast(row, (await progressOf([row.id])).get(row.id));
  }

  async function assertSegment(businessId: string, audienceValue: CreateBroadcastBody['audience']) {
    if (audienceValue.type !== 'segment') return;
    const [row] = await db
      .select({ id: segments.id })
      .from(segments)
      .where(and(eq(segments.businessId, businessId), eq(segments.id, audienceValue.segmentId)));
    if (!row) throw badRequest('body.audience.segmentId', 'no such segment in this business');
  }

  async function contextFor(
    businessId: string,
    businessName: string,
    subscriberId?: string,
  ): Promise<RenderContext> {
    const subscriber = subscriberId
      ? found(await audience.personalisation(businessId, subscriberId), 'Subscriber')
      : SAMPLE_SUBSCRIBER;
    return {
      subscriber,
      business: { name: businessName },
      unsubscribeUrl: deps.tracking.unsubscribeUrl('preview'),
    };
  }

  const templates = {
    async list(
      principal: Principal,
      businessId: string,
      query: PaginationQuery & { kind?: 'email' | 'block' | undefined },
    ) {
      await access.require(principal, businessId, 'business.read');
      const page = pageRequest(query);
      const rows = await db
        .select()
        .from(emailTemplates)
        .where(
          and(
            eq(emailTemplates.businessId, businessId),
            query.kind ? eq(emailTemplates.kind, query.kind) : undefined,
            olderThan(emailTemplates, page.after),
          ),
        )
        .orderBy(desc(emailTemplates.createdAt), desc(emailTemplates.id))
        .limit(page.limit + 1);
      const result = pageOf(rows, page.limit);
      return { items: result.items.map(toTemplate), nextCursor: result.nextCursor };
    },

    async get(principal: Principal, businessId: string, templateId: string) {
      await access.require(principal, businessId, 'business.read');
      return toTemplate(await ownedTemplate(businessId, templateId));
    },

    async create(principal: Principal, businessId: string, body: TemplateBody) {
      await access.require(principal, businessId, 'content.write');
      await assertUniqueName(businessId, body.kind, body.name);
      const parts = await checkedParts(
        businessId,
        body,
        body.kind === 'block' ? body.name : undefined,
      );
      return toTemplate(
        returnedRow(
          await db
            .insert(emailTemplates)
            .values({ businessId, kind: body.kind, name: body.name, ...parts })
            .returning(),
        ),
      );
    },

    async update(
      principal: Principal,
      businessId: string,
      templateId: string,
      body: UpdateTemplateBody,
    ) {
      await access.require(principal, businessId, 'content.write');
      const row = await ownedTemplate(businessId, templateId);
      const name = body.name ?? row.name;
      if (row.kind === 'block' && !/^[A-Za-z0-9_-]{1,100}$/.test(name))
        throw badRequest('body.name', 'a block name may have letters, digits, - and _ only');
      if (row.kind === 'email' && body.subject !== undefined && body.subject.trim() === '')
        throw badRequest('body.subject', 'an email template needs a subject');
      await assertUniqueName(businessId, row.kind, name, row.id);
      const markdown =
        body.markdown === undefined
          ? body.html === undefined
            ? row.markdown
            : null
          : body.markdown;
      const parts = await checkedParts(
        businessId,
        {
          subject: body.subject ?? row.subject,
          preheader: body.preheader ?? row.preheader,
          html: body.html ?? row.html,
          markdown,
          text: body.text ?? row.text,
        },
        row.kind === 'block' ? name : undefined,
      );
      const [updated] = await db
        .update(emailTemplates)
        .set({ name, ...parts, updatedAt: sql`now()` })
        .where(eq(emailTemplates.id, row.id))
        .returning();
      return toTemplate(found(updated, 'Template'));
    },

    async remove(principal: Principal, businessId: string, templateId: string) {
      await access.require(principal, businessId, 'content.write');
      const row = await ownedTemplate(businessId, templateId);
      await db.delete(emailTemplates).where(eq(emailTemplates.id, row.id));
    },

    /** The editor's live preview: blocks put in place, Liquid errors as 400s. */
    async preview(principal: Principal, businessId: string, body: TemplatePreviewBody) {
      const business = await access.load(principal, businessId, 'business.read');
      const parts = await checkedParts(businessId, body);
      const context = await contextFor(businessId, business.name);
      return renderForAuthor(expanded(parts, await blocksOf(db, businessId)), context);
    },
  };

  const broadcastApi = {
    async list(
      principal: Principal,
      businessId: string,
      query: PaginationQuery & { status?: string | undefined },
    ) {
      await access.require(principal, businessId, 'business.read');
      const page = pageRequest(query);
      const rows = await db
        .select()
        .from(broadcasts)
        .where(
          and(
            eq(broadcasts.businessId, businessId),
            query.status ? eq(broadcasts.status, query.status) : undefined,
            olderThan(broadcasts, page.after),
          ),
        )
        .orderBy(desc(broadcasts.createdAt), desc(broadcasts.id))
        .limit(page.limit + 1);
      const result = pageOf(rows, page.limit);
      const progress = await progressOf(
        result.items.filter((row) => row.materializedAt).map((row) => row.id),
      );
      return {
        items: result.items.map((row) => toBroadcast(row, progress.get(row.id))),
        nextCursor: result.nextCursor,
      };
    },

    async get(principal: Principal, businessId: string, broadcastId: string) {
      await access.require(principal, businessId, 'business.read');
      return present(await ownedBroadcast(businessId, broadcastId));
    },

    async create(principal: Principal, businessId: string, body: CreateBroadcastBody) {
      await access.require(principal, businessId, 'content.write');
      let bodies = body.variants;
      if (!bodies && body.templateId) {
        const template = await ownedTemplate(businessId, body.templateId);
        if (template.kind !== 'email')
          throw badRequest('body.templateId', 'a block is not an email template');
        bodies = [
          {
            subject: template.subject,
            preheader: template.preheader,
            html: template.markdown === null ? template.html : undefined,
            markdown: template.markdown ?? undefined,
            text: template.text,
          },
        ];
      }
      if (body.templateId && body.variants) await ownedTemplate(businessId, body.templateId);
      const variants = await variantsOf(businessId, bodies ?? []);
      assertAbShape(variants, body.abTest);
      await assertSegment(businessId, body.audience);
      const row = returnedRow(
        await db
          .insert(broadcasts)
          .values({
            businessId,
            name: body.name,
            templateId: body.templateId ?? null,
            variants,
            audience: body.audience,
            sender: body.from ?? null,
            abTest: body.abTest,
            createdBy: principal.userId,
          })
          .returning(),
      );
      return toBroadcast(row);
    },

    async update(
      principal: Principal,
      businessId: string,
      broadcastId: string,
      body: UpdateBroadcastBody,
    ) {
      await access.require(principal, businessId, 'content.write');
      const row = await ownedBroadcast(businessId, broadcastId);
      if (row.status !== 'draft' && !(row.status === 'scheduled' && !row.materializedAt))
        throw conflict(`A ${row.status} broadcast cannot be changed`);
      const variants = body.variants ? await variantsOf(businessId, body.variants) : row.variants;
      const abTest = body.abTest === undefined ? row.abTest : body.abTest;
      assertAbShape(variants, abTest);
      if (body.audience) await assertSegment(businessId, body.audience);
      const [updated] = await db
        .update(broadcasts)
        .set({
          name: body.name ?? row.name,
          variants,
          abTest,
          audience: body.audience ?? row.audience,
          sender: body.from === undefined ? row.sender : body.from,
          updatedAt: sql`now()`,
        })
        // Still editable at the moment of writing (a send may have started since the read).
        // Not an updated_at comparison: PostgreSQL keeps microseconds that a JS Date drops.
        .where(
          and(
            eq(broadcasts.id, row.id),
            sql`(${broadcasts.status} = 'draft' OR (${broadcasts.status} = 'scheduled' AND ${broadcasts.materializedAt} IS NULL))`,
          ),
        )
        .returning();
      if (!updated) throw conflict('The broadcast started sending meanwhile; reload it');
      return present(updated);
    },

    async remove(principal: Principal, businessId: string, broadcastId: string) {
      await access.require(principal, businessId, 'content.write');
      const row = await ownedBroadcast(businessId, broadcastId);
      if (row.status !== 'draft') throw conflict('Only a draft can be deleted; cancel it instead');
      await db.delete(broadcasts).where(eq(broadcasts.id, row.id));
    },

    async estimate(
      principal: Principal,
      businessId: string,
      audienceValue: CreateBroadcastBody['audience'],
    ) {
      await access.require(principal, businessId, 'business.read');
      await assertSegment(businessId, audienceValue);
      return { recipients: await dispatch.audienceSize(db, businessId, audienceValue) };
    },

    /** The segments a broadcast can go to, with their sizes. */
    async audiences(principal: Principal, businessId: string) {
      await access.require(principal, businessId, 'business.read');
      const rows = await db
        .select({ id: segments.id, name: segments.name, size: segments.size })
        .from(segments)
        .where(eq(segments.businessId, businessId))
        .orderBy(segments.name)
        .limit(500);
      return { items: rows };
    },

    /** Sends one variant now, marked as a test, to the caller or the team; nothing is recorded. */
    async sendTest(
      principal: Principal,
      businessId: string,
      broadcastId: string,
      body: { to: string; variant: Key; subscriberId?: string | undefined },
    ) {
      const business = await access.load(principal, businessId, 'content.write');
      const row = await ownedBroadcast(businessId, broadcastId);
      if (!(await access.mayReceiveTestSends(principal, business, body.to))) {
        throw badRequest(
          'body.to',
          "Test sends go to your own address or your business's team, not to other addresses",
        );
      }
      const variant = row.variants.find((candidate) => candidate.key === body.variant);
      if (!variant)
        throw badRequest('body.variant', `this broadcast has no variant ${body.variant}`);
      const context = await contextFor(businessId, business.name, body.subscriberId);
      const rendered = renderForAuthor(
        expanded(variant, await blocksOf(db, businessId)),
        context,
        'variant',
      );
      const sender = row.sender ?? business.defaultSender;
      const result = await deps.mailer.send({
        messageId: `<test-${randomUUID()}@${deps.messageIdDomain}>`,
        from: sender ? { name: sender.name, address: sender.email } : deps.defaultFrom,
        replyTo: sender?.replyTo,
        to: body.to,
        subject: `[Test] ${rendered.subject}`,
        html: rendered.html,
        text: rendered.text,
        owner: businessId,
      });
      return {
        messageId: result.messageId,
        outboxMessageId:
          deps.mailer.kind === 'outbox' ? result.response.replace(/^outbox /, '') : null,
      };
    },

    /** Schedules (or, without `at`, sends now): approvers only, as activating a sequence. */
    async schedule(
      principal: Principal,
      businessId: string,
      broadcastId: string,
      body: { at?: string | undefined; localTime: boolean },
    ) {
      await access.require(principal, businessId, 'content.approve');
      const row = await ownedBroadcast(businessId, broadcastId);
      if (row.status !== 'draft' && !(row.status === 'scheduled' && !row.materializedAt))
        throw conflict(`A ${row.status} broadcast cannot be scheduled`);
      const at = body.at ? new Date(body.at) : now();
      const recipients = await dispatch.audienceSize(db, businessId, row.audience);
      const [updated] = await db
        .update(broadcasts)
        .set({
          status: 'scheduled',
          scheduledAt: at,
          localTime: body.localTime,
          recipientCount: recipients,
          updatedAt: sql`now()`,
        })
        .where(and(eq(broadcasts.id, row.id), inArray(broadcasts.status, ['draft', 'scheduled'])))
        .returning();
      return present(found(updated, 'Broadcast'));
    },

    /** Stops it: recipients not sent yet are not sent. */
    async cancel(principal: Principal, businessId: string, broadcastId: string) {
      await access.require(principal, businessId, 'content.write');
      const row = await ownedBroadcast(businessId, broadcastId);
      if (!['draft', 'scheduled', 'sending'].includes(row.status))
        throw conflict(`A ${row.status} broadcast cannot be cancelled`);
      const updated = await db.transaction(async (tx) => {
        const [changed] = await tx
          .update(broadcasts)
          .set({ status: 'cancelled', updatedAt: sql`now()`, finishedAt: now() })
          .where(
            and(
              eq(broadcasts.id, row.id),
              inArray(broadcasts.status, ['draft', 'scheduled', 'sending']),
            ),
          )
          .returning();
        await tx.execute(sql`
          update broadcast_deliveries set status = 'cancelled'
          where broadcast_id = ${row.id}::uuid and status in ('pending', 'held')`);
        return changed;
      });
      return present(found(updated, 'Broadcast'));
    },

    /** Picks the A/B winner by hand: the held recipients get it. */
    async pickWinner(principal: Principal, businessId: string, broadcastId: string, variant: Key) {
      await access.require(principal, businessId, 'content.approve');
      const row = await ownedBroadcast(businessId, broadcastId);
      if (!row.abTest) throw conflict('This broadcast is not an A/B test');
      if (!row.variants.some((candidate) => candidate.key === variant))
        throw badRequest('body.variant', `this broadcast has no variant ${variant}`);
      if (row.winner) throw conflict(`Variant ${row.winner} already won`);
      if (row.status !== 'sending') throw conflict('The winner is picked once the test is sending');
      await db.transaction((tx) => dispatch.applyWinner(tx, row.id, variant));
      return present(await ownedBroadcast(businessId, broadcastId));
    },

    async analytics(
      principal: Principal,
      businessId: string,
      broadcastId: string,
    ): Promise<BroadcastAnalytics> {
      await access.require(principal, businessId, 'business.read');
      const row = await ownedBroadcast(businessId, broadcastId);
      const counts = await dispatch.counts(db, row.id);
      const zero = {
        recipients: 0,
        sent: 0,
        delivered: 0,
        opened: 0,
        clicked: 0,
        bounced: 0,
        unsubscribed: 0,
        complained: 0,
        skipped: 0,
        failed: 0,
      };
      const total = { ...zero };
      let held = 0;
      for (const count of counts) {
        for (const key of Object.keys(zero) as (keyof typeof zero)[]) total[key] += count[key];
        held += count.held;
      }
      return {
        broadcastId: row.id,
        status: toBroadcast(row).status,
        totals: withRates(total),
        variants: row.variants.map((variant) => ({
          key: asKey(variant.key) ?? 'A',
          subject: variant.subject,
          ...withRates(counts.find((count) => count.variant === variant.key) ?? zero),
        })),
        winner: asKey(row.winner),
        abMetric: row.abTest?.metric ?? null,
        held,
      };
    },
  };

  return { templates, broadcasts: broadcastApi };
}

export type BroadcastService = ReturnType<typeof createBroadcastService>;
