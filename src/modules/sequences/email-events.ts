// Herald's email.* events (platform/events.ts) for webhooks and Slack, made from the customer
// events a send, a bounce or a recipient's open, click or unsubscribe records — one mapping for
// sequence steps and broadcasts, published in the transaction that records the fact. The key
// comes from the customer event's deterministic messageId, so a fact recorded again (a retried
// update, a second open) is the same Herald event.
import type { Executor } from '../../platform/db/client.ts';
import type { HeraldEvent, HeraldEvents, HeraldEventType } from '../../platform/events.ts';
import type { EmailEventName, InternalEvent } from '../tracking/index.ts';

const TYPES: Record<EmailEventName, HeraldEventType | undefined> = {
  'Email Delivered': 'email.delivered',
  'Email Bounced': 'email.bounced',
  Unsubscribed: 'email.unsubscribed',
  'Email Opened': 'email.opened',
  'Email Link Clicked': 'email.clicked',
  // A spam complaint is not in the event catalogue.
  'Email Marked as Spam': undefined,
};

/** An email fact and who it is about (the customer event names the address only). */
export interface EmailFact {
  event: InternalEvent;
  subscriberId: string;
  deliveryId: string;
}

function text(properties: Record<string, unknown>, name: string): string | undefined {
  const value = properties[name];
  return typeof value === 'string' ? value : undefined;
}

/** The Herald event of an email fact, or undefined for one outside the catalogue. */
export function heraldEmailEvent(fact: EmailFact): HeraldEvent | undefined {
  const { event } = fact;
  const type = TYPES[event.event];
  if (!type) return undefined;
  // `herald:[broadcast:]<fact>:<rest>` → `<type>:<rest>`, e.g. `email.opened:<deliveryId>`.
  const rest = event.messageId.replace(/^herald:(broadcast:)?[a-z]+:/, '');
  const properties = event.properties;
  const broadcastId = text(properties, 'broadcastId');
  const url = text(properties, 'url');
  const bounceType = text(properties, 'bounceType');
  return {
    businessId: event.businessId,
    type,
    key: `${type}:${rest}`,
    data: {
      subscriberId: fact.subscriberId,
      email: event.email,
      deliveryId: fact.deliveryId,
      ...(broadcastId
        ? { source: 'broadcast', broadcastId }
        : {
            source: 'sequence',
            sequenceId: text(properties, 'sequenceId'),
            stepId: text(properties, 'stepId'),
          }),
      ...(text(properties, 'subject') !== undefined
        ? { subject: text(properties, 'subject') }
        : {}),
      ...(type === 'email.clicked' && url ? { url } : {}),
      ...(type === 'email.bounced' && bounceType ? { bounceType } : {}),
    },
    occurredAt: event.timestamp,
  };
}

/** Publishes the Herald events of these facts in the caller's transaction. */
export async function publishEmailEvents(
  tx: Executor,
  events: HeraldEvents,
  facts: EmailFact[],
): Promise<void> {
  for (const fact of facts) {
    const event = heraldEmailEvent(fact);
    if (event) await events.publish(tx, event);
  }
}
