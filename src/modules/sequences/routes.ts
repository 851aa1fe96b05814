// /api/v1/businesses/{businessId}/sequences: drip sequences, their steps, enrollment, status
// changes, previews, test sends, analytics, AI drafts; and /outbox, the mail kept locally when
// no SMTP server is configured.
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import type { App } from '../../platform/http/types.ts';
import { JobEnvelope } from '../jobs/index.ts';
import {
  AnalyticsQuery,
  BusinessParams,
  CreateSequenceBody,
  EnrollBody,
  EnrollmentPage,
  EnrollResult,
  GenerateSequenceBody,
  OutboxMessage,
  OutboxPage,
  OutboxParams,
  OutboxQuery,
  PreviewBody,
  RenderedEmail,
  SegmentChoices,
  Sequence,
  SequenceAnalytics,
  SequenceListQuery,
  SequencePage,
  SequenceParams,
  Step,
  StepAbResults,
  StepBody,
  StepParams,
  TestSendBody,
  TestSendResult,
  UpdateSequenceBody,
  UpdateStepBody,
  WinnerBody,
} from './schemas.ts';
import type { SequenceService } from './service.ts';

const base = '/api/v1/businesses/:businessId/sequences';
const tags = ['sequences'];

export function sequenceRoutes(app: App, deps: { sequences: SequenceService }): void {
  const { sequences } = deps;

  app.post(
    base,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags,
        summary: 'Create a sequence (a draft), optionally with its steps',
        description: 'Liquid template errors are 400s naming the field, line and column.',
        params: BusinessParams,
        body: CreateSequenceBody,
        response: { 201: Sequence, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await sequences.create(principalOf(request), request.params.businessId, request.body),
        ),
  );

  app.get(
    base,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'List sequences, newest first',
        params: BusinessParams,
        querystring: SequenceListQuery,
        response: { 200: SequencePage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      sequences.list(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    `${base}/segment-choices`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: "The business's segments a sequence can start from (for the trigger picker)",
        params: BusinessParams,
        response: { 200: SegmentChoices, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => sequences.segmentChoices(principalOf(request), request.params.businessId),
  );

  app.post(
    `${base}/generate`,
    {
      config: { permission: 'content.write', idempotent: true, rateLimit: 'ai' },
      schema: {
        tags,
        summary: 'Start an AI job that drafts a whole sequence in the brand voice',
        description:
          'Answers 202 with the job; poll GET /api/v1/jobs/{jobId} or stream …/events. The result is `{ sequenceId, stepCount, rationale }`: a draft sequence to edit before activating.',
        params: BusinessParams,
        body: GenerateSequenceBody,
        response: { 202: JobEnvelope, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const job = await sequences.startDraft(
        principalOf(request),
        request.params.businessId,
        request.body,
      );
      return reply.status(202).send({ job });
    },
  );

  app.post(
    `${base}/preview`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'Render templates (saved or not) for a subscriber: the editor’s live preview',
        params: BusinessParams,
        body: PreviewBody,
        response: { 200: RenderedEmail, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      sequences.preview(principalOf(request), request.params.businessId, request.body),
  );

  app.get(
    `${base}/:sequenceId`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'One sequence with its steps',
        params: SequenceParams,
        response: { 200: Sequence, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      sequences.get(principalOf(request), request.params.businessId, request.params.sequenceId),
  );

  app.patch(
    `${base}/:sequenceId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Rename a sequence or change its trigger',
        params: SequenceParams,
        body: UpdateSequenceBody,
        response: { 200: Sequence, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      sequences.update(
        principalOf(request),
        request.params.businessId,
        request.params.sequenceId,
        request.body,
      ),
  );

  app.delete(
    `${base}/:sequenceId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Delete a sequence, its steps, enrollments and delivery records',
        params: SequenceParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await sequences.remove(
        principalOf(request),
        request.params.businessId,
        request.params.sequenceId,
      );
      return reply.status(204).send();
    },
  );

  // Starting to send is for approvers; stopping is for anyone who edits.
  const transitions = [
    ['activate', 'Activate a draft or paused sequence: due steps start sending', 'content.approve'],
    ['pause', 'Pause an active sequence: nothing more is sent until it resumes', 'content.write'],
    [
      'resume',
      'Resume a paused sequence where each enrollment left off (nothing is re-sent)',
      'content.approve',
    ],
    ['archive', 'Archive a sequence: it stops sending and takes no enrollments', 'content.write'],
  ] as const;
  for (const [action, summary, permission] of transitions) {
    app.post(
      `${base}/:sequenceId/${action}`,
      {
        config: { permission },
        schema: {
          tags,
          summary,
          params: SequenceParams,
          response: { 200: Sequence, ...errorResponses(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request) =>
        sequences[action](
          principalOf(request),
          request.params.businessId,
          request.params.sequenceId,
          {
            ip: request.ip,
            userAgent: request.headers['user-agent'],
          },
        ),
    );
  }

  app.post(
    `${base}/:sequenceId/steps`,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags,
        summary: 'Add a step at the end of the sequence',
        params: SequenceParams,
        body: StepBody,
        response: { 201: Step, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await sequences.addStep(
            principalOf(request),
            request.params.businessId,
            request.params.sequenceId,
            request.body,
          ),
        ),
  );

  app.patch(
    `${base}/:sequenceId/steps/:stepId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Change a step (templates are checked before saving)',
        params: StepParams,
        body: UpdateStepBody,
        response: { 200: Step, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      sequences.updateStep(
        principalOf(request),
        request.params.businessId,
        request.params.sequenceId,
        request.params.stepId,
        request.body,
      ),
  );

  app.delete(
    `${base}/:sequenceId/steps/:stepId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Remove a step',
        params: StepParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await sequences.removeStep(
        principalOf(request),
        request.params.businessId,
        request.params.sequenceId,
        request.params.stepId,
      );
      return reply.status(204).send();
    },
  );

  app.get(
    `${base}/:sequenceId/steps/:stepId/ab`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: "A step's A/B test: its state and, per variant, counts and rates",
        description:
          'Counts since the test started: sent, delivered, opens and clicks (every one, and deliveries opened or clicked at least once); rates are unique opens or clicks over delivered.',
        params: StepParams,
        response: { 200: StepAbResults, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      sequences.abResults(
        principalOf(request),
        request.params.businessId,
        request.params.sequenceId,
        request.params.stepId,
      ),
  );

  app.post(
    `${base}/:sequenceId/steps/:stepId/ab/winner`,
    {
      config: { permission: 'content.approve' },
      schema: {
        tags,
        summary: "Pick (or change) a step's A/B winner by hand: every later delivery gets it",
        params: StepParams,
        body: WinnerBody,
        response: { 200: StepAbResults, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      sequences.pickStepWinner(
        principalOf(request),
        request.params.businessId,
        request.params.sequenceId,
        request.params.stepId,
        request.body.variant,
      ),
  );

  app.post(
    `${base}/:sequenceId/steps/:stepId/test`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Send one step now, as a test, to your own address or your team',
        description:
          "`to` must be the signed-in user's own address or one of the business's team (today: its owner); any other address is a 400 naming `to`.",
        params: StepParams,
        body: TestSendBody,
        response: { 200: TestSendResult, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      sequences.sendTest(
        principalOf(request),
        request.params.businessId,
        request.params.sequenceId,
        request.params.stepId,
        request.body,
      ),
  );

  app.post(
    `${base}/:sequenceId/enrollments`,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags,
        summary: 'Enroll subscribers, by id or by a filter (already enrolled ones are skipped)',
        description: 'Only subscribed addresses that are not on the suppression list are enrolled.',
        params: SequenceParams,
        body: EnrollBody,
        response: { 200: EnrollResult, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      sequences.enroll(
        principalOf(request),
        request.params.businessId,
        request.params.sequenceId,
        request.body,
      ),
  );

  app.get(
    `${base}/:sequenceId/enrollments`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'Enrollments of a sequence, newest first',
        params: SequenceParams,
        querystring: PaginationQuery,
        response: { 200: EnrollmentPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      sequences.listEnrollments(
        principalOf(request),
        request.params.businessId,
        request.params.sequenceId,
        request.query,
      ),
  );

  app.get(
    `${base}/:sequenceId/analytics`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'Per-sequence and per-step counts and rates, with a daily time series',
        params: SequenceParams,
        querystring: AnalyticsQuery,
        response: { 200: SequenceAnalytics, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      sequences.analytics(
        principalOf(request),
        request.params.businessId,
        request.params.sequenceId,
        request.query.days,
      ),
  );

  app.get(
    '/api/v1/businesses/:businessId/outbox',
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary:
          'Emails kept in the local outbox (when no SMTP server is configured), newest first',
        params: BusinessParams,
        querystring: OutboxQuery,
        response: { 200: OutboxPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      sequences.outbox(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    '/api/v1/businesses/:businessId/outbox/:outboxMessageId',
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'One outbox email with its whole MIME source',
        params: OutboxParams,
        response: { 200: OutboxMessage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      sequences.outboxMessage(
        principalOf(request),
        request.params.businessId,
        request.params.outboxMessageId,
      ),
  );
}
