// /api/v1/businesses/{businessId}/templates (email templates and reusable blocks) and
// /api/v1/businesses/{businessId}/broadcasts (one-off emails, A/B tests, test sends, schedule,
// cancel, analytics).
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import {
  Audience,
  AudienceEstimate,
  Broadcast,
  BroadcastAnalytics,
  BroadcastListQuery,
  BroadcastPage,
  BroadcastParams,
  BusinessParams,
  CreateBroadcastBody,
  RenderedTemplate,
  ScheduleBody,
  SegmentOptions,
  Template,
  TemplateBody,
  TemplateListQuery,
  TemplatePage,
  TemplateParams,
  TemplatePreviewBody,
  TestSendBody,
  TestSendResult,
  UpdateBroadcastBody,
  UpdateTemplateBody,
  WinnerBody,
} from './schemas.ts';
import type { BroadcastService } from './service.ts';

const templatesBase = '/api/v1/businesses/:businessId/templates';
const base = '/api/v1/businesses/:businessId/broadcasts';
const templateTags = ['templates'];
const tags = ['broadcasts'];

export function broadcastRoutes(app: App, deps: { broadcasts: BroadcastService }): void {
  const { templates, broadcasts } = deps.broadcasts;

  app.post(
    templatesBase,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags: templateTags,
        summary: "Create an email template, or a block (kind 'block') others include by name",
        description:
          "Liquid is checked as for sequence steps: errors are 400s naming the field, line and column. `{% render 'name' %}` includes the business's block of that name.",
        params: BusinessParams,
        body: TemplateBody,
        response: { 201: Template, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await templates.create(principalOf(request), request.params.businessId, request.body),
        ),
  );

  app.get(
    templatesBase,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: templateTags,
        summary: 'List templates and blocks, newest first',
        params: BusinessParams,
        querystring: TemplateListQuery,
        response: { 200: TemplatePage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      templates.list(principalOf(request), request.params.businessId, request.query),
  );

  app.post(
    `${templatesBase}/preview`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: templateTags,
        summary: 'Render unsaved template parts for a sample subscriber (the live preview)',
        params: BusinessParams,
        body: TemplatePreviewBody,
        response: { 200: RenderedTemplate, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      templates.preview(principalOf(request), request.params.businessId, request.body),
  );

  app.get(
    `${templatesBase}/:templateId`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: templateTags,
        summary: 'One template',
        params: TemplateParams,
        response: { 200: Template, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      templates.get(principalOf(request), request.params.businessId, request.params.templateId),
  );

  app.patch(
    `${templatesBase}/:templateId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: templateTags,
        summary: 'Change a template (Liquid checked again)',
        params: TemplateParams,
        body: UpdateTemplateBody,
        response: { 200: Template, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      templates.update(
        principalOf(request),
        request.params.businessId,
        request.params.templateId,
        request.body,
      ),
  );

  app.delete(
    `${templatesBase}/:templateId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: templateTags,
        summary: 'Delete a template (broadcasts made from it keep their copy)',
        params: TemplateParams,
        response: { 204: z.null(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await templates.remove(
        principalOf(request),
        request.params.businessId,
        request.params.templateId,
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    base,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags,
        summary: 'Create a broadcast (a draft): from a template or inline, 1 variant or 2–4 (A/B)',
        params: BusinessParams,
        body: CreateBroadcastBody,
        response: { 201: Broadcast, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await broadcasts.create(principalOf(request), request.params.businessId, request.body),
        ),
  );

  app.get(
    base,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'List broadcasts with status and progress, newest first',
        params: BusinessParams,
        querystring: BroadcastListQuery,
        response: { 200: BroadcastPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      broadcasts.list(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    `${base}/audiences`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'The segments a broadcast can go to, with their sizes',
        params: BusinessParams,
        response: { 200: SegmentOptions, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => broadcasts.audiences(principalOf(request), request.params.businessId),
  );

  app.post(
    `${base}/estimate`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'How many consenting, unsuppressed subscribers an audience has now',
        params: BusinessParams,
        body: Audience,
        response: { 200: AudienceEstimate, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      broadcasts.estimate(principalOf(request), request.params.businessId, request.body),
  );

  app.get(
    `${base}/:broadcastId`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'One broadcast, with progress and estimated finish',
        params: BroadcastParams,
        response: { 200: Broadcast, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      broadcasts.get(principalOf(request), request.params.businessId, request.params.broadcastId),
  );

  app.patch(
    `${base}/:broadcastId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Change a draft (or a scheduled broadcast that has not started)',
        params: BroadcastParams,
        body: UpdateBroadcastBody,
        response: { 200: Broadcast, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      broadcasts.update(
        principalOf(request),
        request.params.businessId,
        request.params.broadcastId,
        request.body,
      ),
  );

  app.delete(
    `${base}/:broadcastId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Delete a draft',
        params: BroadcastParams,
        response: { 204: z.null(), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      await broadcasts.remove(
        principalOf(request),
        request.params.businessId,
        request.params.broadcastId,
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${base}/:broadcastId/test`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: "Send one variant now, marked [Test], to your own address or a team member's",
        params: BroadcastParams,
        body: TestSendBody,
        response: { 200: TestSendResult, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      broadcasts.sendTest(
        principalOf(request),
        request.params.businessId,
        request.params.broadcastId,
        request.body,
      ),
  );

  app.post(
    `${base}/:broadcastId/schedule`,
    {
      config: { permission: 'content.approve' },
      schema: {
        tags,
        summary: 'Schedule it (or send now, without `at`): approvers only',
        params: BroadcastParams,
        body: ScheduleBody,
        response: { 200: Broadcast, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      broadcasts.schedule(
        principalOf(request),
        request.params.businessId,
        request.params.broadcastId,
        request.body,
      ),
  );

  app.post(
    `${base}/:broadcastId/cancel`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Cancel it: recipients not sent yet are not sent',
        params: BroadcastParams,
        response: { 200: Broadcast, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      broadcasts.cancel(
        principalOf(request),
        request.params.businessId,
        request.params.broadcastId,
      ),
  );

  app.post(
    `${base}/:broadcastId/winner`,
    {
      config: { permission: 'content.approve' },
      schema: {
        tags,
        summary: 'Pick the A/B winner by hand: the rest of the audience gets it',
        params: BroadcastParams,
        body: WinnerBody,
        response: { 200: Broadcast, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      broadcasts.pickWinner(
        principalOf(request),
        request.params.businessId,
        request.params.broadcastId,
        request.body.variant,
      ),
  );

  app.get(
    `${base}/:broadcastId/analytics`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary:
          'Sent, delivered, opens, clicks, bounces, unsubscribes: counts and rates, per variant',
        params: BroadcastParams,
        response: { 200: BroadcastAnalytics, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      broadcasts.analytics(
        principalOf(request),
        request.params.businessId,
        request.params.broadcastId,
      ),
  );
}
