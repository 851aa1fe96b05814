// SQL for the messages log. Every query is scoped by business.
import { and, desc, eq } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { olderThan } from '../../platform/db/pagination.ts';
import { messages } from '../../platform/db/schema/index.ts';
import type { Position } from '../../platform/http/pagination.ts';
import type { MessageListQuery } from './schemas.ts';

export type MessageRow = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;

export function createMessageRepository(db: Executor) {
  return {
    async insert(values: NewMessage): Promise<MessageRow> {
      const [row] = await db.insert(messages).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
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
            olderThan(messages, after),
          ),
        )
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(query.limit + 1);
    },
  };
}

export type MessageRepository = ReturnType<typeof createMessageRepository>;
