// Browsing the outbox: the mail a business sent while no SMTP server was configured, kept
// locally (newest first, each with its MIME source). Without an outbox the list says so.
import type { Principal } from '../../platform/http/auth-guard.ts';
import { found } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import type { Mailer, OutboxEntry } from '../../platform/mailer.ts';
import type { BusinessAccess } from '../businesses/index.ts';

function withoutOwner(entry: OutboxEntry) {
  return {
    id: entry.id,
    messageId: entry.messageId,
    from: entry.from,
    to: entry.to,
    subject: entry.subject,
    createdAt: entry.createdAt,
    sizeBytes: entry.sizeBytes,
  };
}

export function createOutboxBrowser(deps: { access: BusinessAccess; mailer: Mailer }) {
  const { access } = deps;
  return {
    async outbox(
      principal: Principal,
      businessId: string,
      query: { limit: number; cursor?: string | undefined },
    ) {
      await access.require(principal, businessId, 'business.read');
      const outbox = deps.mailer.outbox;
      if (!outbox) return { enabled: false, items: [], nextCursor: null };
      const after = decodeCursor(query.cursor);
      const entries = await outbox.list(businessId, {
        limit: query.limit + 1,
        ...(after ? { after: { createdAt: after.createdAt.toISOString(), id: after.id } } : {}),
      });
      const page = pageOf(
        entries.map((entry) => ({ ...entry, createdAt: new Date(entry.createdAt) })),
        query.limit,
      );
      return {
        enabled: true,
        items: page.items.map((entry) =>
          withoutOwner({ ...entry, createdAt: entry.createdAt.toISOString() }),
        ),
        nextCursor: page.nextCursor,
      };
    },

    async outboxMessage(principal: Principal, businessId: string, id: string) {
      await access.require(principal, businessId, 'business.read');
      const message = found(await deps.mailer.outbox?.read(businessId, id), 'Outbox message');
      return { entry: withoutOwner(message.entry), raw: message.raw };
    },
  };
}
