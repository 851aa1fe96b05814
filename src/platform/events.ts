// The events Herald tells the outside about (outgoing webhooks, Slack notifications): one list
// of types, the shape of an event, and the port a module implements to hear them. A module where
// something happens publishes through `HeraldEvents`; the composition root (runtime.ts) wires the
// listeners (webhooks, Slack), so the module that publishes knows none of them.
import type { Executor } from './db/client.ts';

export const HERALD_EVENT_TYPES = [
  'content.published',
  'content.failed',
  'content.in_review',
  'email.delivered',
  'email.bounced',
  'email.unsubscribed',
  'email.opened',
  'email.clicked',
  'customer.created',
  'segment.entered',
  'intelligence.completed',
  'job.succeeded',
  'job.failed',
  'sequence.bounce_rate_exceeded',
  'ai.budget_threshold',
] as const;

export type HeraldEventType = (typeof HERALD_EVENT_TYPES)[number];

export interface HeraldEvent {
  businessId: string;
  type: HeraldEventType;
  /**
   * Stable for the thing that happened (e.g. `content.published:<publicationId>`), so that the
   * same happening published twice (a retried job) is one event and one delivery.
   */
  key: string;
  /** The event's data as receivers see it: ids, names, figures; never a secret. */
  data: Record<string, unknown>;
  occurredAt?: Date;
}

export interface HeraldEventListener {
  readonly name: string;
  /**
   * Runs inside the publisher's transaction when it passes one (`tx`), so the event is kept
   * exactly when what it tells is; it only records work (rows to deliver), never calls out.
   */
  onEvent(tx: Executor, event: HeraldEvent): Promise<void>;
}

export interface HeraldEvents {
  publish(tx: Executor, event: HeraldEvent): Promise<void>;
}

/** Hands each event to every listener in turn, in the caller's transaction. */
export function createHeraldEvents(listeners: readonly HeraldEventListener[]): HeraldEvents {
  return {
    async publish(tx, event) {
      for (const listener of listeners) await listener.onEvent(tx, event);
    },
  };
}

/** For modules built without listeners (tests of one module, tools). */
export const noHeraldEvents: HeraldEvents = { publish: async () => {} };
