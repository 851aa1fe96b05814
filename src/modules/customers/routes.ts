// /api/v1/businesses/{businessId}/customers: the profiles built from events, their timelines
// and orders, and the privacy requests (export as a job, erasure from every table).
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import type { App } from '../../platform/http/types.ts';
import { JobEnvelope } from '../jobs/index.ts';
import {
  BusinessParams,
  Customer,
  CustomerEventPage,
  CustomerListQuery,
  CustomerPage,
  CustomerParams,
  DeleteCustomerQuery,
  OrderPage,
} from './schemas.ts';
import type { CustomerService } from './service.ts';

const base = '/api/v1/businesses/:businessId/customers';

export function customerRoutes(app: App, deps: { customers: CustomerService }): void {
  const { customers } = deps;

  app.get(
    base,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['customers'],
        summary: 'List customers, most recently seen first, searched or filtered',
        description:
          '`search` matches the start of an email, of its domain or of a userId, or any part of a name (case-insensitive except the userId); `segmentId` keeps members of a segment; `lastSeenAfter`/`lastSeenBefore` bound the last event; `hasOrders` keeps customers with (or without) an order.',
        params: BusinessParams,
        querystring: CustomerListQuery,
        response: { 200: CustomerPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      customers.list(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    `${base}/:customerId`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['customers'],
        summary: 'One customer: identities, traits, stats, orders, subscriber and segments',
        params: CustomerParams,
        response: { 200: Customer, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      customers.get(principalOf(request), request.params.businessId, request.params.customerId),
  );

  app.get(
    `${base}/:customerId/events`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['customers'],
        summary: "The customer's events, newest first (every identity they have used)",
        params: CustomerParams,
        querystring: PaginationQuery,
        response: { 200: CustomerEventPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      customers.timeline(
        principalOf(request),
        request.params.businessId,
        request.params.customerId,
        request.query,
      ),
  );

  app.get(
    `${base}/:customerId/orders`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['customers'],
        summary: "The customer's orders, newest first",
        params: CustomerParams,
        querystring: PaginationQuery,
        response: { 200: OrderPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      customers.orders(
        principalOf(request),
        request.params.businessId,
        request.params.customerId,
        request.query,
      ),
  );

  app.post(
    `${base}/:customerId/export`,
    {
      config: { permission: 'business.manage', idempotent: true },
      schema: {
        tags: ['customers'],
        summary: 'Export everything held on the customer (a job)',
        description:
          'Answers 202 with the job; poll GET /api/v1/jobs/{jobId}. Its result is `{ customerId, document }`: the profile, identities, events, orders, subscriber record, enrollments, email deliveries, segment memberships and messages.',
        params: CustomerParams,
        response: { 202: JobEnvelope, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const job = await customers.startExport(
        principalOf(request),
        request.params.businessId,
        request.params.customerId,
      );
      return reply.status(202).send({ job });
    },
  );

  app.delete(
    `${base}/:customerId`,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['customers'],
        summary: 'Erase the customer from every table (right to erasure)',
        description:
          'Deletes their events (by every identity), profile, identities, orders, activity, segment memberships, the subscriber that is them with enrollments and deliveries, and messages about them. `suppress=true` also drops their later events at ingestion. Recorded in the audit trail without personal data.',
        params: CustomerParams,
        querystring: DeleteCustomerQuery,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await customers.remove(
        principalOf(request),
        request.params.businessId,
        request.params.customerId,
        {
          suppress: request.query.suppress,
          origin: { ip: request.ip, userAgent: request.headers['user-agent'] },
        },
      );
      return reply.status(204).send();
    },
  );
}
