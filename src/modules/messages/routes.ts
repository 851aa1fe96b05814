// /api/v1/businesses/{businessId}/messages: the log of customer communications.
import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { BusinessParams } from '../businesses/index.ts';
import { CreateMessageBody, Message, MessageListQuery, MessagePage } from './schemas.ts';
import type { MessageService } from './service.ts';

export function messageRoutes(app: App, deps: { messages: MessageService }): void {
  app.post(
    '/api/v1/businesses/:businessId/messages',
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags: ['messages'],
        summary: 'Record a customer communication',
        params: BusinessParams,
        body: CreateMessageBody,
        response: { 201: Message, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await deps.messages.record(principalOf(request), request.params.businessId, request.body),
        ),
  );

  app.get(
    '/api/v1/businesses/:businessId/messages',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['messages'],
        summary: 'List customer communications, newest first, with filters',
        params: BusinessParams,
        querystring: MessageListQuery,
        response: { 200: MessagePage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      deps.messages.list(principalOf(request), request.params.businessId, request.query),
  );
}
