// The live event debugger: the newest events received, filtered by type and name, new ones
// added as they are stored (a server-sent stream, with a pause), and any event's full JSON.
import { useDeferredValue, useState } from 'react';

import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, Field, formatDateTime, Skeleton } from '../../components/ui';
import {
  EVENT_TYPES,
  type EventType,
  type TrackedEvent,
  useLiveEvents,
  useTrackedEvents,
} from './sources-queries';

function who(event: TrackedEvent): string {
  return event.userId ?? event.anonymousId ?? '—';
}

function streamLabel(status: string, paused: boolean): string {
  if (paused) return 'Paused';
  if (status === 'live') return 'Live';
  if (status === 'reconnecting') return 'Reconnecting…';
  return 'Connecting…';
}

export function EventDebugger(props: { businessId: string; writeKey: string }) {
  const [type, setType] = useState<EventType | ''>('');
  const [name, setName] = useState('');
  const deferredName = useDeferredValue(name);
  const filter = { type, event: deferredName.trim() };
  const [paused, setPaused] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const pages = useTrackedEvents(props.businessId, filter);
  const loaded = pages.data?.pages.flatMap((page) => page.items) ?? [];
  const live = useLiveEvents(props.businessId, filter, {
    enabled: !paused && pages.isSuccess,
    since: loaded[0]?.receivedAt,
  });
  const known = new Set(live.events.map((event) => event.messageId));
  const events = [...live.events, ...loaded.filter((event) => !known.has(event.messageId))];
  const filtered = filter.type !== '' || filter.event !== '';
  const open = events.find((event) => event.messageId === selected) ?? null;

  return (
    <section className="card" aria-labelledby="debugger-title" data-testid="event-debugger">
      <div className="sources-debugger-head">
        <h2 id="debugger-title">Event debugger</h2>
        <span
          className={`badge ${!paused && live.status === 'live' ? 'status-active' : ''}`}
          role="status"
          data-testid="stream-status"
        >
          {streamLabel(live.status, paused)}
        </span>
        <button
          type="button"
          className="button secondary"
          aria-pressed={paused}
          onClick={() => {
            setPaused((value) => !value);
          }}
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      <div className="toolbar" role="search">
        <Field label="Type">
          {({ id }) => (
            <select
              id={id}
              value={type}
              onChange={(event) => {
                setType(event.target.value as EventType | '');
              }}
            >
              <option value="">All types</option>
              {EVENT_TYPES.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Event name">
          {({ id }) => (
            <input
              id={id}
              type="search"
              placeholder="e.g. Order Completed"
              value={name}
              onChange={(event) => {
                setName(event.target.value);
              }}
            />
          )}
        </Field>
      </div>
      {pages.isPending && <Skeleton lines={5} height={28} label="Loading events…" />}
      {pages.isError && (
        <ErrorNotice
          error={pages.error}
          title="Could not load the events"
          onRetry={() => void pages.refetch()}
        />
      )}
      {pages.isSuccess && events.length === 0 && !filtered && (
        <EmptyState title="No events yet" testId="events-empty">
          <p>
            No events yet — send one with <code>analytics.track(&apos;Signed Up&apos;)</code> from
            the snippet above, using the key <code>{props.writeKey}</code>. It appears here within a
            second or two.
          </p>
        </EmptyState>
      )}
      {pages.isSuccess && events.length === 0 && filtered && (
        <p className="muted" role="status" data-testid="events-no-match">
          No event matches these filters.
        </p>
      )}
      {events.length > 0 && (
        <div className="sources-events">
          <ul className="sources-event-list" aria-label="Events, newest first">
            {events.map((event) => (
              <li key={event.messageId}>
                <button
                  type="button"
                  className={`sources-event${event.messageId === selected ? ' selected' : ''}`}
                  aria-pressed={event.messageId === selected}
                  data-testid="event-row"
                  onClick={() => {
                    setSelected(event.messageId === selected ? null : event.messageId);
                  }}
                >
                  <span className="badge">{event.type}</span>
                  <strong className="break">
                    {event.event ?? (event.type === 'identify' ? 'Identify' : event.type)}
                  </strong>
                  <span className="muted small break">{who(event)}</span>
                  <span className="muted small">{formatDateTime(event.receivedAt)}</span>
                </button>
              </li>
            ))}
          </ul>
          {open && (
            <div className="sources-event-json" data-testid="event-json">
              <div className="sources-debugger-head">
                <h3>{open.event ?? open.type}</h3>
                <button
                  type="button"
                  className="button link"
                  onClick={() => {
                    setSelected(null);
                  }}
                >
                  Close
                </button>
              </div>
              <pre className="sources-code">
                <code>{JSON.stringify(open, null, 2)}</code>
              </pre>
            </div>
          )}
        </div>
      )}
      {pages.hasNextPage && (
        <p>
          <button
            type="button"
            className="button secondary"
            disabled={pages.isFetchingNextPage}
            onClick={() => void pages.fetchNextPage()}
          >
            {pages.isFetchingNextPage ? 'Loading…' : 'Show older events'}
          </button>
        </p>
      )}
    </section>
  );
}
