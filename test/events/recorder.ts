// A listener that keeps every Herald event published, as the webhooks and Slack listeners would
// hear them, so a test can check what was told, to whom, and how often.
import type {
  HeraldEvent,
  HeraldEventListener,
  HeraldEventType,
} from '../../src/platform/events.ts';

export interface EventRecorder extends HeraldEventListener {
  readonly events: HeraldEvent[];
  /** The events of one type, for one business. */
  of(type: HeraldEventType, businessId: string): HeraldEvent[];
}

export function eventRecorder(): EventRecorder {
  const events: HeraldEvent[] = [];
  return {
    name: 'test-recorder',
    events,
    onEvent(_tx, event) {
      events.push(event);
      return Promise.resolve();
    },
    of(type, businessId) {
      return events.filter((event) => event.type === type && event.businessId === businessId);
    },
  };
}
