// The messages log: every communication with a customer (channel, direction, subject, body,
// status, customer reference), listed newest first with filters.
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { notFound } from '../../platform/http/errors.ts';
import { readPage } from '../../platform/http/pagination.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import { createContentLookup } from '../content/index.ts';
import { createMessageRepository, type MessageRow } from './repository.ts';
import type { CreateMessageBody, Message, MessageListQuery } from './schemas.ts';

const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  businessId: row.businessId,
  channel: row.channel,
  direction: row.direction,
  subject: row.subject,
  body: row.body,
  status: row.status,
  customerRef: row.customerRef,
  contentId: row.contentId,
  createdAt: row.createdAt.toISOString(),
});

export function createMessageService(deps: { db: Database; access: BusinessAccess }) {
  const repository = createMessageRepository(deps.db);
  const contents = createContentLookup(deps.db);
  return {
    async record(principal: Principal, businessId: string, body: CreateMessageBody) {
      await deps.access.require(principal, businessId, 'content.write');
      if (body.contentId && !(await contents.find(businessId, body.contentId))) {
        throw notFound('Content');
      }
      return toMessage(await repository.insert({ ...body, businessId }));
    },
    async list(principal: Principal, businessId: string, query: MessageListQuery) {
      await deps.access.require(principal, businessId, 'business.read');
      return readPage(query, (page) => repository.list(businessId, page, query), toMessage);
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
