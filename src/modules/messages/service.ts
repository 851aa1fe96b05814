// The messages log: every communication with a customer (channel, direction, subject, body,
// status, customer reference), listed newest first with filters.
import { and, desc, eq, lt, or } from 'drizzle-orm';

import type { Database, Executor } from '../../platform/db/client.ts';
import { contents, messages } from '../../platform/db/schema/index.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { notFound } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf, type Position } from '../../platform/http/pagination.ts';
import type { BusinessAccess } from '../businesses/access.ts';
import type { CreateMessageBody, Message, MessageListQuery } from './schemas.ts';

type MessageRow = typeof messages.$inferSelect;

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

export function createMessageRepository(db: Executor) {
  return {
    async insert(values: typeof messages.$inferInsert): Promise<MessageRow> {
      const [row] = await db.insert(messages).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async contentExists(businessId: string, contentId: string): Promise<boolean> {
      const rows = await db
        .select({ id: contents.id })
        .from(contents)
        .where(and(eq(contents.id, contentId), eq(contents.businessId, businessId)));
      return rows.length > 0;
    },
    async list(
      businessId: string,
      query: Omit<MessageListQuery, 'cursor'>,
      after: Position | undefined,
    ): Promise<MessageRow[]> {
      return db
        .select()
        .from(messages)
        .where(
          and(
            eq(messages.businessId, businessId),
            query.channel ? eq(messages.channel, query.channel) : undefined,
            query.direction ? eq(messages.direction, query.direction) : undefined,
            query.status ? eq(messages.status, query.status) : undefined,
            query.customerRef ? eq(messages.customerRef, query.customerRef) : undefined,
            after
              ? or(
                  lt(messages.createdAt, after.createdAt),
                  and(eq(messages.createdAt, after.createdAt), lt(messages.id, after.id)),
                )
              : undefined,
          ),
        )
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(query.limit + 1);
    },
  };
}

export function createMessageService(deps: { db: Database; access: BusinessAccess }) {
  const repository = createMessageRepository(deps.db);
  return {
    async record(principal: Principal, businessId: string, body: CreateMessageBody) {
      await deps.access.require(principal, businessId);
      if (body.contentId && !(await repository.contentExists(businessId, body.contentId))) {
        throw notFound('Content');
      }
      return toMessage(await repository.insert({ ...body, businessId }));
    },
    async list(principal: Principal, businessId: string, query: MessageListQuery) {
      await deps.access.require(principal, businessId);
      const rows = await repository.list(businessId, query, decodeCursor(query.cursor));
      const page = pageOf(rows, query.limit);
      return { items: page.items.map(toMessage), nextCursor: page.nextCursor };
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
