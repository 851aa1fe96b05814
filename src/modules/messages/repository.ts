// SQL for the messages log. Every query is scoped by business.
import { eq } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import { messages } from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';
import type { MessageListQuery } from './schemas.ts';

export type MessageRow = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;

export function createMessageRepository(db: Executor) {
  return {
    async insert(values: NewMessage): Promise<MessageRow> {
      return returnedRow(await db.insert(messages).values(values).returning());
    },

    async list(
      businessId: string,
      page: PageRequest,
      filter: Omit<MessageListQuery, 'limit' | 'cursor'>,
    ): Promise<MessageRow[]> {
      return keysetPage(
        db.select().from(messages).$dynamic(),
        messages,
        page,
        eq(messages.businessId, businessId),
        filter.channel ? eq(messages.channel, filter.channel) : undefined,
        filter.direction ? eq(messages.direction, filter.direction) : undefined,
        filter.status ? eq(messages.status, filter.status) : undefined,
        filter.customerRef ? eq(messages.customerRef, filter.customerRef) : undefined,
      );
    },
  };
}

export type MessageRepository = ReturnType<typeof createMessageRepository>;
