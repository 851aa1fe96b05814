// Applies one event to the customer profiles, inside the business batch's transaction: finds or
// makes the customer its identities name, merges anonymous or email-only profiles into the
// identified one (never two different userIds: that is a conflict, counted and logged, and both
// stay), then traits (latest-wins per trait by event time), stats, the activity rollup and orders.
import type { EventType } from '../../platform/db/schema/customers.ts';
import type { ProfileRepository, ProfileRow } from './profile-repository.ts';

/** An event as the processor loads it. */
export interface StoredEvent {
  businessId: string;
  messageId: string;
  type: EventType;
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  email: string | null;
  previousId: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown> | null;
  context: Record<string, unknown>;
  timestamp: Date;
  receivedAt: Date;
}

export interface ApplyOutcome {
  customerId: string;
  /** Customers merged away while applying, each with the one it went into. */
  merged: [from: string, into: string][];
  conflicts: number;
  /** The event made a new customer (which may since have been merged into another). */
  created: string | undefined;
}

/** The rollup's name for an event: track events by name, page and screen views as one each. */
export function activityName(event: Pick<StoredEvent, 'type' | 'event'>): string | null {
  if (event.type === 'track') return event.event;
  if (event.type === 'page') return 'Page Viewed';
  if (event.type === 'screen') return 'Screen Viewed';
  return null;
}

/** Dollars (a number or a numeric string) in cents; undefined when not a finite amount. */
export function centsOf(value: unknown): number | undefined {
  const amount = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof amount === 'number' && Number.isFinite(amount)
    ? Math.round(amount * 100)
    : undefined;
}

function textOf(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The traits an event sets: an identify's own, otherwise the ones in its context. */
function traitsOf(event: StoredEvent): Record<string, unknown> {
  if (event.type === 'identify') return event.traits ?? {};
  if (event.type === 'group') return {};
  const contextTraits = event.context.traits;
  return isRecord(contextTraits) ? contextTraits : {};
}

function nameOf(traits: Record<string, unknown>): string | null {
  const name = textOf(traits.name);
  if (name) return name;
  const parts = [
    textOf(traits.firstName ?? traits.first_name),
    textOf(traits.lastName ?? traits.last_name),
  ];
  const joined = parts.filter(Boolean).join(' ');
  return joined === '' ? null : joined;
}

export async function applyEvent(
  repo: ProfileRepository,
  event: StoredEvent,
  onConflict: (detail: { customerIds: [string, string] }) => void,
): Promise<ApplyOutcome> {
  const { businessId } = event;
  const userId = event.userId;
  const email = event.email?.trim().toLowerCase() || null;
  const outcome: ApplyOutcome = { customerId: '', merged: [], conflicts: 0, created: undefined };

  const byUser = userId ? await repo.byIdentity(businessId, 'userId', userId) : undefined;
  const byPrevious =
    event.type === 'alias' && event.previousId
      ? ((await repo.byIdentity(businessId, 'userId', event.previousId)) ??
        (await repo.byIdentity(businessId, 'anonymousId', event.previousId)))
      : undefined;
  const byAnonymous = event.anonymousId
    ? await repo.byIdentity(businessId, 'anonymousId', event.anonymousId)
    : undefined;
  const byEmail = email ? await repo.byIdentity(businessId, 'email', email) : undefined;

  // Who the event is about: the userId's customer; for an alias to a new userId, the previous
  // identity's customer (it takes the new userId); else an anonymous or email-only profile that
  // does not belong to another user; else a new customer.
  const compatible = (customer: ProfileRow) =>
    !userId || customer.userId === null || customer.userId === userId;
  const rename = !byUser && byPrevious !== undefined && userId !== null;
  const known =
    byUser ??
    (rename ? byPrevious : undefined) ??
    [byAnonymous, byEmail].find((customer) => customer && compatible(customer));
  let target: ProfileRow = known ?? (await repo.create(businessId, userId, event.timestamp));
  if (!known) outcome.created = target.id;
  if (userId && target.userId !== userId && (target.userId === null || rename)) {
    await repo.setUserId(target.id, userId);
    target.userId = userId;
  }

  const gone = new Set<string>();
  for (const candidate of [byPrevious, byAnonymous, byEmail]) {
    if (!candidate || candidate.id === target.id || gone.has(candidate.id)) continue;
    if (candidate.userId && target.userId && candidate.userId !== target.userId) {
      outcome.conflicts += 1;
      onConflict({ customerIds: [target.id, candidate.id] });
      continue;
    }
    // Into the identified one; between two anonymous profiles, into the event's own.
    const [from, into]: [ProfileRow, ProfileRow] =
      candidate.userId && !target.userId ? [target, candidate] : [candidate, target];
    await repo.merge(from, into);
    gone.add(from.id);
    outcome.merged.push([from.id, into.id]);
    target = into;
  }

  if (userId) await repo.addIdentity(businessId, target.id, 'userId', userId);
  if (event.anonymousId) {
    await repo.addIdentity(businessId, target.id, 'anonymousId', event.anonymousId);
  }
  if (email) await repo.addIdentity(businessId, target.id, 'email', email);

  // Traits, latest-wins per trait by the event's time.
  const at = event.timestamp.toISOString();
  let changed = false;
  let emailTrait: string | null = null;
  let nameTrait: string | null = null;
  const traits = traitsOf(event);
  for (const [key, value] of Object.entries(traits)) {
    const setAt = target.traitTimes[key];
    if (setAt !== undefined && setAt > at) continue;
    target.traits[key] = value;
    target.traitTimes[key] = at;
    changed = true;
    if (key === 'email') emailTrait = textOf(value)?.toLowerCase() ?? null;
  }
  const latestName = nameOf(traits);
  if (
    latestName &&
    ['name', 'firstName', 'first_name'].some((key) => target.traitTimes[key] === at)
  ) {
    nameTrait = latestName;
  }
  const profileEmail = emailTrait ?? (target.email === null ? email : null);
  if (changed || profileEmail) {
    await repo.saveTraits(target, { email: profileEmail, name: nameTrait });
    if (profileEmail) target.email = profileEmail;
  }
  if (emailTrait && emailTrait !== email) {
    await repo.addIdentity(businessId, target.id, 'email', emailTrait);
  }
  if (target.subscriberId === null && target.email) {
    const subscriberId = await repo.subscriberByEmail(businessId, target.email);
    if (subscriberId) {
      await repo.linkSubscriber(target.id, subscriberId);
      target.subscriberId = subscriberId;
    }
  }

  await repo.recordSeen(target.id, event.timestamp);
  const activity = activityName(event);
  if (activity) await repo.countActivity(businessId, target.id, activity, at.slice(0, 10));
  if (event.type === 'track') await applyOrder(repo, event, target.id);

  outcome.customerId = target.id;
  return outcome;
}

/** Segment's e-commerce spec: Order Completed makes or updates an order, Order Refunded subtracts. */
async function applyOrder(repo: ProfileRepository, event: StoredEvent, customerId: string) {
  if (event.event !== 'Order Completed' && event.event !== 'Order Refunded') return;
  const props = event.properties;
  const orderId = textOf(props.order_id ?? props.orderId);
  if (!orderId) return;
  const amount = centsOf(props.total) ?? centsOf(props.revenue);
  const existing = await repo.order(event.businessId, orderId);
  if (event.event === 'Order Completed') {
    const order = {
      totalCents: Math.max(0, amount ?? 0),
      currency: (textOf(props.currency) ?? 'USD').toUpperCase().slice(0, 3),
      products: Array.isArray(props.products) ? props.products : [],
    };
    if (existing) await repo.updateOrder(existing, order);
    else {
      await repo.insertOrder({
        ...order,
        businessId: event.businessId,
        customerId,
        orderId,
        placedAt: event.timestamp,
      });
    }
    return;
  }
  if (!existing) return;
  const left = existing.totalCents - existing.refundedCents;
  const refund = Math.min(left, amount === undefined ? left : Math.max(0, amount));
  if (refund > 0) await repo.refundOrder(existing, refund);
}
