// Who may be emailed outside a sequence (a content piece published to the email channel): an
// address is mailable only as a subscriber of that business with consent `subscribed` and not on
// its suppression list — the same rule the sequence dispatcher applies to each delivery. This is
// what other modules may ask of subscribers (the sequences module suppresses bounced and
// unsubscribed addresses and personalises previews through it).
import type { Executor } from '../../platform/db/client.ts';
import { createSubscriberRepository } from './repository.ts';

export type SkipReason = 'not_a_subscriber' | 'unsubscribed' | 'pending' | 'suppressed';

export interface AudienceMember {
  /** As given (trimmed, lower-cased). */
  address: string;
  subscriberId: string | null;
  /** Why the address gets nothing; null when it may be emailed. */
  skip: SkipReason | null;
  /** The suppression's reason (unsubscribed, bounced, complained, manual) when suppressed. */
  detail: string | null;
}

export interface EmailAudience {
  businessName: string;
  sender: { name: string; email: string; replyTo?: string | undefined } | null;
  members: AudienceMember[];
}

export function createEmailAudience(db: Executor) {
  const repository = createSubscriberRepository(db);
  return {
    /** Puts an address on the suppression list (a hard bounce, an unsubscribe). */
    async suppress(businessId: string, email: string, reason: string): Promise<void> {
      await repository.suppress(businessId, email, reason);
    },

    /** What a template may say about one subscriber of the business, or undefined. */
    async personalisation(businessId: string, subscriberId: string) {
      const row = await repository.find(businessId, subscriberId);
      if (!row) return undefined;
      const { email, firstName, lastName, attributes } = row;
      return { email, firstName, lastName, attributes };
    },

    /** The business's sender and, per address (duplicates dropped), whether it may be emailed. */
    async resolve(businessId: string, addresses: string[]): Promise<EmailAudience | undefined> {
      const business = await repository.senderOf(businessId);
      if (!business) return undefined;
      const wanted = [...new Set(addresses.map((address) => address.trim().toLowerCase()))];
      if (wanted.length === 0) {
        return { businessName: business.name, sender: business.defaultSender ?? null, members: [] };
      }
      const [known, suppressed] = await Promise.all([
        repository.consentOf(businessId, wanted),
        repository.suppressionsAmong(businessId, wanted),
      ]);
      const byEmail = new Map(known.map((row) => [row.email, row]));
      const suppressedBy = new Map(suppressed.map((row) => [row.email, row.reason]));
      const members = wanted.map((address): AudienceMember => {
        const subscriber = byEmail.get(address);
        const suppression = suppressedBy.get(address);
        const base = { address, subscriberId: subscriber?.id ?? null };
        if (suppression !== undefined) return { ...base, skip: 'suppressed', detail: suppression };
        if (!subscriber) return { ...base, skip: 'not_a_subscriber', detail: null };
        if (subscriber.consentStatus === 'subscribed') return { ...base, skip: null, detail: null };
        return {
          ...base,
          skip: subscriber.consentStatus === 'pending' ? 'pending' : 'unsubscribed',
          detail: null,
        };
      });
      return { businessName: business.name, sender: business.defaultSender ?? null, members };
    },
  };
}

export type EmailAudienceLookup = ReturnType<typeof createEmailAudience>;
