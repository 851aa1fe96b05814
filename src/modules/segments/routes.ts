// /api/v1/businesses/{businessId}/segments: saved segments, their members and size history, and
// the live preview the rule builder calls while the marketer edits.
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { BusinessParams } from '../businesses/index.ts';
import {
  CreateSegmentBody,
  PreviewBody,
  Segment,
  SegmentListQuery,
  SegmentMemberPage,
  SegmentPage,
  SegmentParams,
  SegmentPreview,
  SegmentSizeList,
  SegmentSizeQuery,
  UpdateSegmentBody,
} from './schemas.ts';
import type { SegmentService } from './service.ts';

const base = '/api/v1/businesses/:businessId/segments';
const tags = ['segments'];
const FRESHNESS =
  'Membership is recomputed right after a save and then by the periodic refresh (every SEGMENT_REFRESH_SECONDS, 60 by default) whenever the business has new processed events, and at least hourly.';

export function segmentRoutes(app: App, deps: { segments: SegmentService }): void {
  const { segments } = deps;

  app.post(
    base,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags,
        summary: 'Create a segment',
        description: `Its members are computed at once. ${FRESHNESS} Send an Idempotency-Key header to make retries safe.`,
        params: BusinessParams,
        body: CreateSegmentBody,
        response: { 201: Segment, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await segments.create(principalOf(request), request.params.businessId, request.body)),
  );

  app.get(
    base,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'List segments, newest first, with their sizes',
        params: BusinessParams,
        querystring: SegmentListQuery,
        response: { 200: SegmentPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      segments.list(principalOf(request), request.params.businessId, request.query),
  );

  app.post(
    `${base}/preview`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'How many customers match these rules now, and a few of them (nothing is saved)',
        params: BusinessParams,
        body: PreviewBody,
        response: { 200: SegmentPreview, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      segments.preview(principalOf(request), request.params.businessId, request.body.rules),
  );

  app.get(
    `${base}/:segmentId`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'One segment',
        description: FRESHNESS,
        params: SegmentParams,
        response: { 200: Segment, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      segments.get(principalOf(request), request.params.businessId, request.params.segmentId),
  );

  app.patch(
    `${base}/:segmentId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Rename a segment or change its rules (members are recomputed at once)',
        params: SegmentParams,
        body: UpdateSegmentBody,
        response: { 200: Segment, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      segments.update(
        principalOf(request),
        request.params.businessId,
        request.params.segmentId,
        request.body,
      ),
  );

  app.delete(
    `${base}/:segmentId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Delete a segment, its members and its size history',
        params: SegmentParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await segments.remove(
        principalOf(request),
        request.params.businessId,
        request.params.segmentId,
      );
      return reply.status(204).send();
    },
  );

  app.get(
    `${base}/:segmentId/customers`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: "A page of the segment's members, latest to enter first",
        description: FRESHNESS,
        params: SegmentParams,
        querystring: SegmentListQuery,
        response: { 200: SegmentMemberPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      segments.members(
        principalOf(request),
        request.params.businessId,
        request.params.segmentId,
        request.query,
      ),
  );

  app.get(
    `${base}/:segmentId/sizes`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: "The segment's size over the last `days` days",
        params: SegmentParams,
        querystring: SegmentSizeQuery,
        response: { 200: SegmentSizeList, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      segments.sizes(
        principalOf(request),
        request.params.businessId,
        request.params.segmentId,
        request.query.days,
      ),
  );
}
