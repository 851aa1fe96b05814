// /api/v1/businesses/{businessId}/messages: the log of customer communications.
import { principalOf } from '../../platform/http/auth-guard.ts';
import { ErrorEnvelope } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { BusinessParams } from '../businesses/schemas.ts';
import { CreateMessageBody, Message, MessageListQuery, MessagePage } from './schemas.ts';
import type { MessageService } from './service.ts';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 429: ErrorEnvelope };

export function messageRoutes(app: App, deps: { messages: MessageService }): void {
  app.post(
    '/api/v1/businesses/:businessId/messages',
    {
      config: { idempotent: true },
      schema: {
        tags: ['messages'],
        summary: 'Record a customer communication',
        params: BusinessParams,
        body: CreateMessageBody,
        response: { 201: Message, 404: ErrorEnvelope, ...errors },
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
      schema: {
        tags: ['messages'],
        summary: 'List customer communications, newest first, with filters',
        params: BusinessParams,
        querystring: MessageListQuery,
        response: { 200: MessagePage, 404: ErrorEnvelope, ...errors },
      },
    },
    async (request) =>
      deps.messages.list(principalOf(request), request.params.businessId, request.query),
  );
}
