// What other modules may use of customers: the contract of the event processor's listeners.
// The processor (customers/processor.ts) claims new events from the ledger, resolves each to a
// customer (identities, merges, traits, orders, stats), then hands the batch to every listener
// in the same transaction — so a listener's effect (an enrollment, a segment update) happens
// exactly once per event, or not at all and the batch is retried.
import type { Executor } from '../../platform/db/client.ts';
import type { EventType } from '../../platform/db/schema/customers.ts';

/** An event after identity resolution. */
export interface ResolvedEvent {
  businessId: string;
  messageId: string;
  type: EventType;
  /** The track event's name (page/screen name for those types). */
  event: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown> | null;
  timestamp: Date;
  receivedAt: Date;
  customerId: string;
  /** The subscriber linked to the customer by email, when there is one. */
  subscriberId: string | null;
}

export interface CustomerEventListener {
  /** For logs and metrics. */
  readonly name: string;
  /** Runs inside the processing transaction; throwing rolls the batch back for a retry. */
  onEvents(tx: Executor, events: ResolvedEvent[]): Promise<void>;
}

/**
 * The name an event has in the activity rollup (customer_activity.event), for segment rules:
 * track events by their name, page views as 'Page Viewed', screen views as 'Screen Viewed'.
 */
export { activityName } from './resolve.ts';

/** The score vocabulary and a customer's scores (the intelligence run writes them). */
export {
  ChurnTier,
  CustomerScores,
  CustomerSummary,
  RfmSegmentName,
  type ScoreSummary,
} from './schemas.ts';
export type { CustomerService } from './service.ts';
