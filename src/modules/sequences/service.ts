// Sequences of a business: CRUD of sequences and steps (templates checked at save time),
// status changes, enrollment, previews and test sends, analytics and the outbox. Every
// function checks first that the caller may act on the business.
import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';

import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, conflict, notFound } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf, type PaginationQuery } from '../../platform/http/pagination.ts';
import type { Mailer, OutboxEntry } from '../../platform/mailer.ts';
import type { BusinessAccess } from '../businesses/access.ts';
import type { Job } from '../jobs/schemas.ts';
import type { JobService } from '../jobs/service.ts';
import { createSubscriberRepository } from '../subscribers/repository.ts';
import { SEQUENCE_DRAFT_JOB } from './generate.ts';
import { createSequenceRepository, type SequenceRow, type StepRow } from './repository.ts';
import {
  type CreateSequenceBody,
  delayMinutes,
  delayOf,
  type EnrollBody,
  type GenerateSequenceBody,
  type Sequence,
  type SequenceAnalytics,
  SequenceStatus,
  type Step,
  type StepBody,
  Trigger,
  type UpdateSequenceBody,
  type UpdateStepBody,
} from './schemas.ts';
import {
  assertValidTemplates,
  type RenderContext,
  renderForAuthor,
  SAMPLE_SUBSCRIBER,
} from './templates.ts';
import type { TrackingLinks } from './tracking.ts';

export function toStep(row: StepRow): Step {
  return {
    id: row.id,
    sequenceId: row.sequenceId,
    position: row.position,
    delay: delayOf(row.delayMinutes),
    sendWindow: row.sendWindow ?? null,
    subject: row.subject,
    preheader: row.preheader,
    html: row.html,
    text: row.text,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toSequence(row: SequenceRow, steps: StepRow[]): Sequence {
  return {
    id: row.id,
    businessId: row.businessId,
    name: row.name,
    status: SequenceStatus.catch('draft').parse(row.status),
    trigger: Trigger.catch({ type: 'manual' }).parse(row.trigger),
    steps: steps.map(toStep),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function stepValues(body: StepBody) {
  assertValidTemplates(body);
  return {
    delayMinutes: delayMinutes(body.delay),
    sendWindow: body.sendWindow,
    subject: body.subject,
    preheader: body.preheader,
    html: body.html,
    text: body.text,
  };
}

function withoutOwner(entry: OutboxEntry) {
  return {
    id: entry.id,
    messageId: entry.messageId,
    from: entry.from,
    to: entry.to,
    subject: entry.subject,
    createdAt: entry.createdAt,
    sizeBytes: entry.sizeBytes,
  };
}

function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

export function createSequenceService(deps: {
  db: Database;
  access: BusinessAccess;
  jobs: Pick<JobService, 'start'>;
  mailer: Mailer;
  tracking: TrackingLinks;
  defaultFrom: string;
  messageIdDomain: string;
}) {
  const repository = createSequenceRepository(deps.db);
  const subscriberRepository = createSubscriberRepository(deps.db);
  const { access } = deps;

  async function owned(principal: Principal, businessId: string, sequenceId: string) {
    await access.require(principal, businessId);
    const row = await repository.find(businessId, sequenceId);
    if (!row) throw notFound('Sequence');
    return row;
  }

  async function withSteps(row: SequenceRow): Promise<Sequence> {
    return toSequence(row, await repository.steps(row.id));
  }

  async function setStatus(
    principal: Principal,
    businessId: string,
    sequenceId: string,
    to: SequenceStatus,
    from: SequenceStatus[],
  ): Promise<Sequence> {
    const row = await owned(principal, businessId, sequenceId);
    const status = SequenceStatus.catch('draft').parse(row.status);
    if (status === to) return withSteps(row);
    if (!from.includes(status)) {
      throw conflict(`A ${status} sequence cannot become ${to}`, { status });
    }
    if (to === 'active' && (await repository.steps(sequenceId)).length === 0) {
      throw conflict('A sequence needs at least one step before it can be activated');
    }
    const updated = await repository.update(businessId, sequenceId, { status: to });
    if (!updated) throw notFound('Sequence');
    return withSteps(updated);
  }

  async function contextFor(
    businessId: string,
    subscriberId: string | undefined,
    businessName: string,
  ): Promise<RenderContext> {
    let subscriber = SAMPLE_SUBSCRIBER;
    if (subscriberId) {
      const row = await subscriberRepository.find(businessId, subscriberId);
      if (!row) throw notFound('Subscriber');
      subscriber = {
        email: row.email,
        firstName: row.firstName,
        lastName: row.lastName,
        attributes: row.attributes,
      };
    }
    return {
      subscriber,
      business: { name: businessName },
      unsubscribeUrl: deps.tracking.unsubscribeUrl('preview'),
    };
  }

  return {
    async create(principal: Principal, businessId: string, body: CreateSequenceBody) {
      await access.require(principal, businessId);
      const steps: ReturnType<typeof stepValues>[] = [];
      for (const step of body.steps) {
        // Each step's trial render may take the whole render budget: other requests run between.
        await setImmediate();
        steps.push(stepValues(step));
      }
      return deps.db.transaction(async (tx) => {
        const txRepository = createSequenceRepository(tx);
        const row = await txRepository.insert({
          businessId,
          name: body.name,
          trigger: body.trigger,
        });
        const stepRows = await txRepository.insertSteps(
          steps.map((step, position) => ({ ...step, businessId, sequenceId: row.id, position })),
        );
        return toSequence(row, stepRows);
      });
    },

    async list(
      principal: Principal,
      businessId: string,
      query: PaginationQuery & { status?: SequenceStatus | undefined },
    ) {
      await access.require(principal, businessId);
      const rows = await repository.list(
        businessId,
        query.limit,
        decodeCursor(query.cursor),
        query.status,
      );
      const page = pageOf(
        rows.map((row) => ({ ...row, createdAt: row.sequence.createdAt, id: row.sequence.id })),
        query.limit,
      );
      return {
        items: page.items.map((row) => {
          const sequence = toSequence(row.sequence, []);
          return {
            id: sequence.id,
            businessId: sequence.businessId,
            name: sequence.name,
            status: sequence.status,
            trigger: sequence.trigger,
            createdAt: sequence.createdAt,
            updatedAt: sequence.updatedAt,
            stepCount: row.stepCount,
            enrolled: row.enrolled,
          };
        }),
        nextCursor: page.nextCursor,
      };
    },

    async get(principal: Principal, businessId: string, sequenceId: string) {
      return withSteps(await owned(principal, businessId, sequenceId));
    },

    async update(
      principal: Principal,
      businessId: string,
      sequenceId: string,
      body: UpdateSequenceBody,
    ) {
      await owned(principal, businessId, sequenceId);
      const row = await repository.update(businessId, sequenceId, body);
      if (!row) throw notFound('Sequence');
      return withSteps(row);
    },

    async remove(principal: Principal, businessId: string, sequenceId: string) {
      await access.require(principal, businessId);
      if (!(await repository.remove(businessId, sequenceId))) throw notFound('Sequence');
    },

    activate: (principal: Principal, businessId: string, sequenceId: string) =>
      setStatus(principal, businessId, sequenceId, 'active', ['draft', 'paused']),
    pause: (principal: Principal, businessId: string, sequenceId: string) =>
      setStatus(principal, businessId, sequenceId, 'paused', ['active']),
    resume: (principal: Principal, businessId: string, sequenceId: string) =>
      setStatus(principal, businessId, sequenceId, 'active', ['paused']),
    archive: (principal: Principal, businessId: string, sequenceId: string) =>
      setStatus(principal, businessId, sequenceId, 'archived', ['draft', 'active', 'paused']),

    async addStep(principal: Principal, businessId: string, sequenceId: string, body: StepBody) {
      await owned(principal, businessId, sequenceId);
      const values = stepValues(body);
      const position = await repository.nextPosition(sequenceId);
      const [row] = await repository.insertSteps([{ ...values, businessId, sequenceId, position }]);
      if (!row) throw new Error('insert returned no row');
      return toStep(row);
    },

    async updateStep(
      principal: Principal,
      businessId: string,
      sequenceId: string,
      stepId: string,
      body: UpdateStepBody,
    ) {
      await owned(principal, businessId, sequenceId);
      const current = await repository.findStep(sequenceId, stepId);
      if (!current) throw notFound('Step');
      const merged = {
        subject: body.subject ?? current.subject,
        preheader: body.preheader ?? current.preheader,
        html: body.html ?? current.html,
        text: body.text ?? current.text,
      };
      assertValidTemplates(merged);
      const row = await repository.updateStep(sequenceId, stepId, {
        ...merged,
        ...(body.delay ? { delayMinutes: delayMinutes(body.delay) } : {}),
        ...(body.sendWindow !== undefined ? { sendWindow: body.sendWindow } : {}),
      });
      if (!row) throw notFound('Step');
      return toStep(row);
    },

    async removeStep(principal: Principal, businessId: string, sequenceId: string, stepId: string) {
      await owned(principal, businessId, sequenceId);
      if (!(await repository.removeStep(sequenceId, stepId))) throw notFound('Step');
    },

    async enroll(principal: Principal, businessId: string, sequenceId: string, body: EnrollBody) {
      const sequence = await owned(principal, businessId, sequenceId);
      if (sequence.status === 'archived')
        throw conflict('An archived sequence takes no enrollments');
      const steps = await repository.steps(sequenceId);
      const first = steps[0];
      const firstSendAt = new Date(Date.now() + (first ? first.delayMinutes * 60_000 : 0));
      const requested = body.subscriberIds?.length;
      const enrolled = await repository.enroll({
        businessId,
        sequenceId,
        firstSendAt,
        subscriberIds: body.subscriberIds,
        search: body.filter?.search,
        attribute: body.filter?.attribute,
      });
      return { enrolled, skipped: requested === undefined ? 0 : requested - enrolled };
    },

    async listEnrollments(
      principal: Principal,
      businessId: string,
      sequenceId: string,
      query: PaginationQuery,
    ) {
      await owned(principal, businessId, sequenceId);
      const rows = await repository.listEnrollments(
        businessId,
        sequenceId,
        query.limit,
        decodeCursor(query.cursor),
      );
      const page = pageOf(
        rows.map((row) => ({ ...row, createdAt: row.enrollment.createdAt, id: row.enrollment.id })),
        query.limit,
      );
      return {
        items: page.items.map(({ enrollment, email }) => ({
          id: enrollment.id,
          sequenceId: enrollment.sequenceId,
          subscriberId: enrollment.subscriberId,
          email,
          status: enrollment.status as 'active' | 'completed' | 'unsubscribed' | 'cancelled',
          nextStepIndex: enrollment.nextStepIndex,
          nextSendAt: enrollment.nextSendAt?.toISOString() ?? null,
          createdAt: enrollment.createdAt.toISOString(),
        })),
        nextCursor: page.nextCursor,
      };
    },

    /** Renders unsaved templates for the editor's live preview (template errors are 400s). */
    async preview(
      principal: Principal,
      businessId: string,
      body: {
        subject: string;
        preheader: string;
        html: string;
        text: string;
        subscriberId?: string | undefined;
      },
    ) {
      const business = await access.require(principal, businessId);
      assertValidTemplates(body);
      const context = await contextFor(businessId, body.subscriberId, business.name);
      return renderForAuthor(body, context);
    },

    /**
     * Sends one step now, marked as a test, to the signed-in user or the business's team (never
     * a stranger: see BusinessAccess.mayReceiveTestSends); nothing is recorded as a delivery.
     */
    async sendTest(
      principal: Principal,
      businessId: string,
      sequenceId: string,
      stepId: string,
      body: { to: string; subscriberId?: string | undefined },
    ) {
      const business = await access.require(principal, businessId);
      await owned(principal, businessId, sequenceId);
      if (!(await access.mayReceiveTestSends(principal, business, body.to))) {
        const message =
          "Test sends go to your own address or your business's team, not to other addresses";
        throw new AppError('VALIDATION_ERROR', message, {
          details: { issues: [{ path: 'body.to', message }] },
        });
      }
      const step = await repository.findStep(sequenceId, stepId);
      if (!step) throw notFound('Step');
      const context = await contextFor(businessId, body.subscriberId, business.name);
      // A step saved before the sandbox may not render: a 400 naming the part, never a 500.
      const rendered = renderForAuthor(step, context, 'step');
      const sender = business.defaultSender;
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

    async analytics(
      principal: Principal,
      businessId: string,
      sequenceId: string,
      days: number,
    ): Promise<SequenceAnalytics> {
      await owned(principal, businessId, sequenceId);
      const [steps, counts, enrollmentCounts] = await Promise.all([
        repository.steps(sequenceId),
        repository.stepCounts(sequenceId),
        repository.enrollmentCounts(sequenceId),
      ]);
      const since = new Date(Date.now() - days * 86_400_000);
      const series = await repository.dailySeries(sequenceId, since);
      const countsOf = (raw: {
        delivered: number;
        bounced: number;
        suppressed: number;
        failed: number;
        opened: number;
        clicked: number;
        unsubscribed: number;
      }) => {
        const delivered = raw.delivered;
        const bounced = raw.bounced;
        const sent = delivered + bounced;
        return {
          sent,
          delivered,
          opened: raw.opened,
          clicked: raw.clicked,
          unsubscribed: raw.unsubscribed,
          bounced,
          suppressed: raw.suppressed,
          failed: raw.failed,
          openRate: rate(raw.opened, delivered),
          clickRate: rate(raw.clicked, delivered),
          unsubscribeRate: rate(raw.unsubscribed, delivered),
          bounceRate: rate(bounced, sent),
        };
      };
      const zero = {
        delivered: 0,
        bounced: 0,
        suppressed: 0,
        failed: 0,
        opened: 0,
        clicked: 0,
        unsubscribed: 0,
      };
      const byStep = new Map(counts.map((row) => [row.stepId, row]));
      const total = { ...zero };
      for (const row of counts) {
        for (const key of Object.keys(zero) as (keyof typeof zero)[]) total[key] += row[key];
      }
      const days_ = new Map<
        string,
        { date: string; sent: number; opened: number; clicked: number; unsubscribed: number }
      >();
      for (const point of series) {
        const day = days_.get(point.date) ?? {
          date: point.date,
          sent: 0,
          opened: 0,
          clicked: 0,
          unsubscribed: 0,
        };
        if (
          point.kind === 'sent' ||
          point.kind === 'opened' ||
          point.kind === 'clicked' ||
          point.kind === 'unsubscribed'
        ) {
          day[point.kind] = point.n;
        }
        days_.set(point.date, day);
      }
      let enrolled = 0;
      for (const value of enrollmentCounts.values()) enrolled += value;
      return {
        sequenceId,
        enrolled,
        active: enrollmentCounts.get('active') ?? 0,
        completed: enrollmentCounts.get('completed') ?? 0,
        totals: countsOf(total),
        steps: steps.map((step) => ({
          stepId: step.id,
          position: step.position,
          subject: step.subject,
          ...countsOf(byStep.get(step.id) ?? zero),
          lastError: byStep.get(step.id)?.lastError ?? null,
        })),
        series: [...days_.values()].sort((a, b) => a.date.localeCompare(b.date)),
      };
    },

    async outbox(
      principal: Principal,
      businessId: string,
      query: { limit: number; cursor?: string | undefined },
    ) {
      await access.require(principal, businessId);
      const outbox = deps.mailer.outbox;
      if (!outbox) return { enabled: false, items: [], nextCursor: null };
      const after = decodeCursor(query.cursor);
      const entries = await outbox.list(businessId, {
        limit: query.limit + 1,
        ...(after ? { after: { createdAt: after.createdAt.toISOString(), id: after.id } } : {}),
      });
      const page = pageOf(
        entries.map((entry) => ({ ...entry, createdAt: new Date(entry.createdAt) })),
        query.limit,
      );
      return {
        enabled: true,
        items: page.items.map((entry) =>
          withoutOwner({ ...entry, createdAt: entry.createdAt.toISOString() }),
        ),
        nextCursor: page.nextCursor,
      };
    },

    async outboxMessage(principal: Principal, businessId: string, id: string) {
      await access.require(principal, businessId);
      const message = await deps.mailer.outbox?.read(businessId, id);
      if (!message) throw notFound('Outbox message');
      return { entry: withoutOwner(message.entry), raw: message.raw };
    },

    async startDraft(
      principal: Principal,
      businessId: string,
      body: GenerateSequenceBody,
    ): Promise<Job> {
      await access.require(principal, businessId);
      return deps.jobs.start(principal, businessId, SEQUENCE_DRAFT_JOB, body);
    },
  };
}

export type SequenceService = ReturnType<typeof createSequenceService>;
