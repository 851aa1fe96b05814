// Herald's own events about a person (email delivered, opened, clicked, bounced, complained),
// written to the same stream as the Segment API's, so they appear on the customer's timeline
// and segment rules can use them. Names follow Segment's Email spec.
import type { Executor } from '../../platform/db/client.ts';
import { type EventRow, insertEvents } from './repository.ts';

export type EmailEventName =
  | 'Email Delivered'
  | 'Email Opened'
  | 'Email Link Clicked'
  | 'Email Bounced'
  | 'Email Marked as Spam'
  | 'Unsubscribed';

export interface InternalEvent {
  businessId: string;
  /**
   * Deterministic, so that recording the same fact twice stores it once: e.g.
   * `herald:opened:<deliveryId>` for the first open, `herald:clicked:<deliveryId>:<n>`.
   */
  messageId: string;
  event: EmailEventName;
  /** The subscriber's address: it links the event to the customer with that email. */
  email: string;
  userId?: string | null;
  properties: Record<string, unknown>;
  timestamp: Date;
}

/** Stores the events not recorded before (in the caller's transaction); returns how many. */
export async function recordInternalEvents(
  executor: Executor,
  events: InternalEvent[],
): Promise<number> {
  const receivedAt = new Date();
  const rows: EventRow[] = events.map((event) => ({
    businessId: event.businessId,
    messageId: event.messageId,
    type: 'track',
    event: event.event,
    userId: event.userId ?? null,
    anonymousId: null,
    email: event.email.trim().toLowerCase(),
    groupId: null,
    previousId: null,
    properties: event.properties,
    traits: null,
    context: { library: { name: 'herald' } },
    integrations: null,
    timestamp: event.timestamp,
    originalTimestamp: event.timestamp,
    sentAt: null,
    receivedAt,
  }));
  return insertEvents(executor, rows);
}
