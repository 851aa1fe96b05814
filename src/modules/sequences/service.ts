// Sequences of a business: CRUD of sequences and steps (templates checked at save time) and
// status changes here; enrollment, previews and test sends, analytics and the outbox in their
// own files, composed into the one service the routes call. Every function checks first that
// the caller may act on the business.
import { setImmediate } from 'node:timers/promises';

import type { Database } from '../../platform/db/client.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import type { StepAbTest } from '../../platform/db/schema/sequences.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, conflict, found, notFound } from '../../platform/http/errors.ts';
import { pageOf, pageRequest, type PaginationQuery } from '../../platform/http/pagination.ts';
import type { Mailer } from '../../platform/mailer.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import type { Job, JobService } from '../jobs/index.ts';
import { createStepAbTests, DEFAULT_AB_TEST, storedVariants } from './ab-test.ts';
import { createEnrollment } from './enrollment.ts';
import { SEQUENCE_DRAFT_JOB } from './generate.ts';
import { createOutboxBrowser } from './outbox.ts';
import { createOwnedSequence } from './owned-sequence.ts';
import { createPreviews } from './previews.ts';
import { createSequenceRepository, type SequenceRow, type StepRow } from './repository.ts';
import {
  type CreateSequenceBody,
  delayMinutes,
  delayOf,
  type GenerateSequenceBody,
  type Sequence,
  SequenceStatus,
  type Step,
  type StepBody,
  Trigger,
  type UpdateSequenceBody,
  type UpdateStepBody,
  VariantKey,
  WaitFor,
} from './schemas.ts';
import { createSequenceAnalytics } from './sequence-analytics.ts';
import { assertValidTemplates, htmlOfMarkdown, type StepTemplates } from './templates.ts';
import type { TrackingLinks } from './tracking.ts';

export function toStep(row: StepRow): Step {
  return {
    id: row.id,
    sequenceId: row.sequenceId,
    position: row.position,
    kind: row.kind === 'wait_for_event' ? 'wait_for_event' : 'email',
    waitFor: row.waitFor
      ? {
          event: row.waitFor.event,
          ...(row.waitFor.where ? { where: row.waitFor.where } : {}),
          sameAs: row.waitFor.sameAs,
          limit: delayOf(row.waitFor.limitMinutes),
          goToStep: row.waitFor.goToStep,
        }
      : null,
    delay: delayOf(row.delayMinutes),
    sendWindow: row.sendWindow ?? null,
    subject: row.subject,
    preheader: row.preheader,
    html: row.html,
    markdown: row.markdown ?? null,
    text: row.text,
    variants:
      row.variants?.map((variant) => ({
        ...variant,
        key: VariantKey.catch('A').parse(variant.key),
      })) ?? null,
    abTest: row.variants ? (row.abTest ?? DEFAULT_AB_TEST) : null,
    winner: row.variants ? (VariantKey.safeParse(row.winner).data ?? null) : null,
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
    exitEvent: row.exitEvent ?? null,
    steps: steps.map(toStep),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * A step's body as stored: written in HTML (no Markdown), or made from its Markdown, which is kept
 * as the source the editor opens. The templates are checked either way, on the HTML that is sent.
 */
function checkedBody(
  templates: { subject: string; preheader: string; text: string },
  body: { html: string; markdown: null } | { markdown: string },
): { html: string; markdown: string | null } {
  if (body.markdown === null) {
    assertValidTemplates({ ...templates, html: body.html });
    return body;
  }
  const html = htmlOfMarkdown(body.markdown);
  assertValidTemplates({ ...templates, html }, body.markdown);
  return { html, markdown: body.markdown };
}

function invalid(path: string, message: string): AppError {
  return new AppError('VALIDATION_ERROR', message, { details: { issues: [{ path, message }] } });
}

/** A wait as stored; its "go to" must be a later step (`index` is the step's, 0-based). */
function storedWait(waitFor: WaitFor, index: number, path: string) {
  if (waitFor.goToStep !== null && waitFor.goToStep <= index + 1) {
    throw invalid(`${path}.goToStep`, 'A wait can only go on to a later step');
  }
  return {
    event: waitFor.event,
    ...(waitFor.where ? { where: waitFor.where } : {}),
    sameAs: waitFor.sameAs,
    limitMinutes: delayMinutes(waitFor.limit),
    goToStep: waitFor.goToStep,
  };
}

/** A wait step has no email: its subject and bodies are stored empty. */
function waitValues(body: StepBody, index: number, path: string) {
  if (!body.waitFor) throw invalid(`${path}.waitFor`, 'a wait_for_event step needs waitFor');
  return {
    kind: 'wait_for_event',
    waitFor: storedWait(body.waitFor, index, `${path}.waitFor`),
    delayMinutes: delayMinutes(body.delay),
    sendWindow: null,
    subject: '',
    preheader: '',
    html: '',
    markdown: null,
    text: '',
    variants: null,
    abTest: null,
  };
}

function stepValues(body: StepBody, index: number, path = 'body') {
  if (body.kind === 'wait_for_event') return waitValues(body, index, path);
  const source =
    body.markdown !== undefined
      ? { markdown: body.markdown }
      : { html: body.html ?? '', markdown: null };
  const templates = { subject: body.subject ?? '', preheader: body.preheader, text: body.text };
  const checked = checkedBody(templates, source);
  return {
    kind: 'email',
    waitFor: null,
    delayMinutes: delayMinutes(body.delay),
    sendWindow: body.sendWindow,
    ...templates,
    ...checked,
    variants: body.variants
      ? storedVariants(body.variants, { ...templates, html: checked.html }, path)
      : null,
    abTest: body.variants ? (body.abTest ?? DEFAULT_AB_TEST) : null,
  };
}

/**
 * New variants (or none): a new A/B test, so the old one's start and winner are cleared. Counts
 * of the old test stay on its deliveries; the results count from the new start.
 */
function newTest(body: UpdateStepBody, step: StepTemplates, current: StepAbTest | null) {
  const variants = body.variants ? storedVariants(body.variants, step, 'body') : null;
  return {
    variants,
    abTest: variants ? (body.abTest ?? current ?? DEFAULT_AB_TEST) : null,
    abStartedAt: null,
    winner: null,
    winnerAt: null,
    winnerPickedBy: null,
  };
}

/** Where a status change was asked from, for the audit trail. */
export interface ChangeOrigin {
  ip: string;
  userAgent: string | undefined;
}

export type SequenceStatusAction =
  'sequence.activated' | 'sequence.paused' | 'sequence.resumed' | 'sequence.archived';

/**
 * Told of each status change a member makes — who started a sequence sending is an approval.
 * Declared here, implemented with the auth module's audit trail in runtime.ts.
 */
export interface SequenceStatusLog {
  record(change: {
    action: SequenceStatusAction;
    userId: string;
    businessId: string;
    sequenceId: string;
    name: string;
    from: SequenceStatus;
    origin: ChangeOrigin;
  }): Promise<void>;
}

const STATUS_ACTIONS = {
  activate: 'sequence.activated',
  pause: 'sequence.paused',
  resume: 'sequence.resumed',
  archive: 'sequence.archived',
} as const satisfies Record<string, SequenceStatusAction>;

export function createSequenceService(deps: {
  db: Database;
  access: BusinessAccess;
  jobs: Pick<JobService, 'start'>;
  mailer: Mailer;
  tracking: TrackingLinks;
  defaultFrom: string;
  messageIdDomain: string;
  statusLog?: SequenceStatusLog;
}) {
  const repository = createSequenceRepository(deps.db);
  const { access } = deps;
  const owned = createOwnedSequence({ access, repository });

  /** A segment trigger must name a segment of the business. */
  async function checkTrigger(businessId: string, trigger: Trigger | undefined) {
    if (trigger?.type !== 'segment') return;
    if (!(await repository.segmentExists(businessId, trigger.segmentId))) {
      throw invalid('body.trigger.segmentId', 'No segment with this id in the business');
    }
  }

  async function withSteps(row: SequenceRow): Promise<Sequence> {
    return toSequence(row, await repository.steps(row.id));
  }

  async function setStatus(
    principal: Principal,
    businessId: string,
    sequenceId: string,
    change: keyof typeof STATUS_ACTIONS,
    origin: ChangeOrigin | undefined,
    to: SequenceStatus,
    from: SequenceStatus[],
  ): Promise<Sequence> {
    // Activating (or resuming) starts sending: approvers only. Pausing and archiving stop it.
    const permission = to === 'active' ? 'content.approve' : 'content.write';
    const row = await owned(principal, businessId, sequenceId, permission);
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
    if (origin) {
      await deps.statusLog?.record({
        action: STATUS_ACTIONS[change],
        userId: principal.userId,
        businessId,
        sequenceId,
        name: updated.name,
        from: status,
        origin,
      });
    }
    return withSteps(updated);
  }

  return {
    async create(principal: Principal, businessId: string, body: CreateSequenceBody) {
      await access.require(principal, businessId, 'content.write');
      await checkTrigger(businessId, body.trigger);
      const steps: ReturnType<typeof stepValues>[] = [];
      for (const [position, step] of body.steps.entries()) {
        // Each step's trial render may take the whole render budget: other requests run between.
        await setImmediate();
        steps.push(stepValues(step, position, `body.steps.${String(position)}`));
      }
      return deps.db.transaction(async (tx) => {
        const txRepository = createSequenceRepository(tx);
        const row = await txRepository.insert({
          businessId,
          name: body.name,
          trigger: body.trigger,
          exitEvent: body.exitEvent,
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
      await access.require(principal, businessId, 'business.read');
      const rows = await repository.list(businessId, pageRequest(query), query.status);
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
            exitEvent: sequence.exitEvent,
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
      return withSteps(await owned(principal, businessId, sequenceId, 'business.read'));
    },

    async update(
      principal: Principal,
      businessId: string,
      sequenceId: string,
      body: UpdateSequenceBody,
    ) {
      await owned(principal, businessId, sequenceId, 'content.write');
      await checkTrigger(businessId, body.trigger);
      const row = found(await repository.update(businessId, sequenceId, body), 'Sequence');
      return withSteps(row);
    },

    async remove(principal: Principal, businessId: string, sequenceId: string) {
      await access.require(principal, businessId, 'content.write');
      if (!(await repository.remove(businessId, sequenceId))) throw notFound('Sequence');
    },

    activate: (p: Principal, businessId: string, sequenceId: string, origin?: ChangeOrigin) =>
      setStatus(p, businessId, sequenceId, 'activate', origin, 'active', ['draft', 'paused']),
    pause: (p: Principal, businessId: string, sequenceId: string, origin?: ChangeOrigin) =>
      setStatus(p, businessId, sequenceId, 'pause', origin, 'paused', ['active']),
    resume: (p: Principal, businessId: string, sequenceId: string, origin?: ChangeOrigin) =>
      setStatus(p, businessId, sequenceId, 'resume', origin, 'active', ['paused']),
    archive: (p: Principal, businessId: string, sequenceId: string, origin?: ChangeOrigin) =>
      setStatus(p, businessId, sequenceId, 'archive', origin, 'archived', [
        'draft',
        'active',
        'paused',
      ]),

    async addStep(principal: Principal, businessId: string, sequenceId: string, body: StepBody) {
      await owned(principal, businessId, sequenceId, 'content.write');
      const index = (await repository.steps(sequenceId)).length;
      const values = stepValues(body, index);
      const position = await repository.nextPosition(sequenceId);
      const rows = await repository.insertSteps([{ ...values, businessId, sequenceId, position }]);
      return toStep(returnedRow(rows));
    },

    async updateStep(
      principal: Principal,
      businessId: string,
      sequenceId: string,
      stepId: string,
      body: UpdateStepBody,
    ) {
      await owned(principal, businessId, sequenceId, 'content.write');
      const current = found(await repository.findStep(sequenceId, stepId), 'Step');
      if (current.kind === 'wait_for_event') {
        if (body.variants) throw invalid('body.variants', 'only an email step has A/B variants');
        const index = (await repository.steps(sequenceId)).findIndex((step) => step.id === stepId);
        const row = await repository.updateStep(sequenceId, stepId, {
          ...(body.waitFor ? { waitFor: storedWait(body.waitFor, index, 'body.waitFor') } : {}),
          ...(body.delay ? { delayMinutes: delayMinutes(body.delay) } : {}),
        });
        return toStep(found(row, 'Step'));
      }
      if (body.waitFor) throw invalid('body.waitFor', 'An email step does not wait for an event');
      const templates = {
        subject: body.subject ?? current.subject,
        preheader: body.preheader ?? current.preheader,
        text: body.text ?? current.text,
      };
      // New Markdown makes the HTML; new HTML (or markdown: null) writes the step in HTML; with
      // neither, the step keeps its body and the way it is written.
      const markdown =
        body.markdown !== undefined
          ? body.markdown
          : body.html !== undefined
            ? null
            : (current.markdown ?? null);
      const source =
        markdown === null ? { html: body.html ?? current.html, markdown } : { markdown };
      const checked = checkedBody(templates, source);
      if (body.abTest && body.variants === undefined && !current.variants) {
        throw invalid('body.abTest', 'give the step variants first: abTest decides their test');
      }
      const row = await repository.updateStep(sequenceId, stepId, {
        ...templates,
        ...checked,
        ...(body.delay ? { delayMinutes: delayMinutes(body.delay) } : {}),
        ...(body.sendWindow !== undefined ? { sendWindow: body.sendWindow } : {}),
        ...(body.variants !== undefined
          ? newTest(body, { ...templates, html: checked.html }, current.abTest)
          : {}),
        ...(body.abTest && body.variants === undefined ? { abTest: body.abTest } : {}),
      });
      if (!row) throw notFound('Step');
      return toStep(row);
    },

    async removeStep(principal: Principal, businessId: string, sequenceId: string, stepId: string) {
      await owned(principal, businessId, sequenceId, 'content.write');
      if (!(await repository.removeStep(sequenceId, stepId))) throw notFound('Step');
    },

    ...createEnrollment({ repository, ownedSequence: owned }),
    ...createPreviews({ ...deps, repository, ownedSequence: owned }),
    ...createSequenceAnalytics({ repository, ownedSequence: owned }),
    ...createStepAbTests({ db: deps.db, repository, ownedSequence: owned }),
    ...createOutboxBrowser({ access, mailer: deps.mailer }),

    async segmentChoices(principal: Principal, businessId: string) {
      await access.require(principal, businessId, 'business.read');
      return { items: await repository.segmentChoices(businessId) };
    },

    async startDraft(
      principal: Principal,
      businessId: string,
      body: GenerateSequenceBody,
    ): Promise<Job> {
      await access.require(principal, businessId, 'content.write');
      return deps.jobs.start(principal, businessId, SEQUENCE_DRAFT_JOB, body);
    },
  };
}

export type SequenceService = ReturnType<typeof createSequenceService>;
