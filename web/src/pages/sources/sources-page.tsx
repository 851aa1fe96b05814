// Sources: how a business sends its website's and app's events to Herald (the write key, with
// copy and rotate, and snippets for the Segment libraries pointed at this Herald), whether they
// arrive (accepted and rejected in the last hour, processing delay) and the live event debugger.
import './sources.css';

import { useState } from 'react';

import { ErrorNotice } from '../../components/error-notice';
import { formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { EventDebugger } from './event-debugger';
import { type Sources, useRotateWriteKey, useSources } from './sources-queries';

export function SourcesPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Sources', business.name);
  const sources = useSources(business.id);

  return (
    <>
      <PageHeader
        title="Sources"
        description="Send your website's and app's events to Herald with the Segment libraries you may already use. Events build customer profiles and can start emails."
      />
      {sources.isPending && <Skeleton lines={5} height={28} label="Loading the sources…" />}
      {sources.isError && (
        <ErrorNotice
          error={sources.error}
          title="Could not load the sources"
          onRetry={() => void sources.refetch()}
        />
      )}
      {sources.data && (
        <div className="stack">
          <WriteKeyCard
            businessId={business.id}
            sources={sources.data}
            mayRotate={can(business, 'business.manage')}
          />
          <Figures sources={sources.data} />
          <Snippets sources={sources.data} />
          <EventDebugger businessId={business.id} writeKey={sources.data.writeKey} />
        </div>
      )}
    </>
  );
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  if (typeof navigator === 'undefined' || !('clipboard' in navigator)) return null;
  return (
    <button
      type="button"
      className="button secondary"
      aria-label={label}
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => {
            setCopied(true);
            setTimeout(() => {
              setCopied(false);
            }, 2000);
          },
          () => undefined,
        );
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

function graceLabel(hours: number): string {
  if (hours === 0) return 'stops working at once';
  if (hours % 24 === 0)
    return `keeps working for ${hours / 24 === 1 ? '24 hours' : `${hours / 24} days`}`;
  return `keeps working for ${hours} hour${hours === 1 ? '' : 's'}`;
}

function WriteKeyCard(props: { businessId: string; sources: Sources; mayRotate: boolean }) {
  const { sources } = props;
  const rotate = useRotateWriteKey(props.businessId);
  const [confirming, setConfirming] = useState(false);

  return (
    <section className="card" aria-labelledby="write-key-title" data-testid="write-key">
      <h2 id="write-key-title">Write key</h2>
      <p className="muted">
        Your website and servers send events with this key. It is not a secret: it appears in your
        web pages, and only lets someone send events.
      </p>
      <div className="sources-key-row">
        <code className="sources-key" data-testid="write-key-value">
          {sources.writeKey}
        </code>
        <CopyButton text={sources.writeKey} label="Copy the write key" />
        {props.mayRotate && !confirming && (
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              setConfirming(true);
            }}
          >
            Rotate key…
          </button>
        )}
      </div>
      {confirming && (
        <div
          className="notice warning"
          role="alertdialog"
          aria-labelledby="rotate-title"
          aria-describedby="rotate-text"
          data-testid="rotate-confirm"
        >
          <strong id="rotate-title" className="notice-title">
            Make a new write key?
          </strong>
          <p id="rotate-text">
            Herald makes a new key now. The current key {graceLabel(sources.rotationGraceHours)}
            {sources.rotationGraceHours > 0 &&
              ', so you have time to put the new key in your website and servers. After that, events sent with the old key are refused'}
            .
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="button primary"
              disabled={rotate.isPending}
              onClick={() => {
                rotate.mutate(undefined, {
                  onSuccess: () => {
                    setConfirming(false);
                  },
                });
              }}
            >
              {rotate.isPending ? 'Rotating…' : 'Make a new key'}
            </button>
            <button
              type="button"
              className="button secondary"
              autoFocus
              onClick={() => {
                setConfirming(false);
                rotate.reset();
              }}
            >
              Cancel
            </button>
          </div>
          {rotate.isError && <ErrorNotice error={rotate.error} title="Could not rotate the key" />}
        </div>
      )}
      {sources.previousWriteKeys.length > 0 && (
        <div className="sources-previous" data-testid="previous-keys">
          <h3>Previous keys still accepted</h3>
          <ul>
            {sources.previousWriteKeys.map((key) => (
              <li key={key.key}>
                <code className="sources-key">{key.key}</code>{' '}
                <span className="muted">stops working {formatDateTime(key.expiresAt)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function lagLabel(seconds: number): string {
  if (seconds < 2) return 'Up to date';
  if (seconds < 120) return `${Math.round(seconds)} s behind`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min behind`;
  return `${Math.round(seconds / 3600)} h behind`;
}

function Figures({ sources }: { sources: Sources }) {
  const accepted = sources.perMinute.reduce((sum, minute) => sum + minute.accepted, 0);
  const rejected = sources.perMinute.reduce((sum, minute) => sum + minute.rejected, 0);
  const peak = Math.max(1, ...sources.perMinute.map((minute) => minute.accepted + minute.rejected));
  return (
    <section aria-label="Events received" data-testid="source-figures">
      <div className="stats">
        <div className="card stat">
          <div className="muted small">Accepted, last hour</div>
          <div className="value" data-testid="accepted-hour">
            {accepted.toLocaleString()}
          </div>
          <div className="muted small">{sources.today.accepted.toLocaleString()} today</div>
        </div>
        <div className="card stat">
          <div className="muted small">Rejected, last hour</div>
          <div className="value" data-testid="rejected-hour">
            {rejected.toLocaleString()}
          </div>
          <div className="muted small">
            {sources.today.rejected.toLocaleString()} today (bad key, invalid or too large)
          </div>
        </div>
        <div className="card stat">
          <div className="muted small">Customer profiles</div>
          <div className="value" data-testid="processing-lag">
            {lagLabel(sources.processingLagSeconds)}
          </div>
          <div className="muted small">
            Last event:{' '}
            {sources.lastEventAt ? formatDateTime(sources.lastEventAt) : 'none received yet'}
          </div>
        </div>
      </div>
      <div className="card">
        <div className="sources-debugger-head">
          <h3>Per minute, last hour</h3>
          <span className="muted small sources-legend">
            <span className="sources-swatch accepted" aria-hidden="true" /> accepted{' '}
            <span className="sources-swatch rejected" aria-hidden="true" /> rejected
          </span>
        </div>
        {accepted + rejected === 0 ? (
          <p className="muted" data-testid="chart-empty">
            Nothing received in the last hour.
          </p>
        ) : (
          <div
            className="sources-chart"
            role="img"
            aria-label={`Events per minute over the last hour: ${accepted} accepted, ${rejected} rejected`}
          >
            {sources.perMinute.map((minute) => (
              <div
                key={minute.minute}
                className="sources-bar"
                title={`${formatDateTime(minute.minute)}: ${minute.accepted} accepted, ${minute.rejected} rejected`}
              >
                <span
                  className="sources-bar-rejected"
                  style={{ height: `${(minute.rejected / peak) * 100}%` }}
                />
                <span
                  className="sources-bar-accepted"
                  style={{ height: `${(minute.accepted / peak) * 100}%` }}
                />
              </div>
            ))}
          </div>
        )}
      </div>
    </section>
  );
}

function browserSnippet(writeKey: string, endpoint: string): string {
  const url = new URL(endpoint);
  const apiHost = `${url.host}${url.pathname.replace(/\/$/, '')}/v1`;
  return `import { AnalyticsBrowser } from '@segment/analytics-next';

export const analytics = AnalyticsBrowser.load(
  { writeKey: '${writeKey}', cdnURL: '${endpoint}' },
  { integrations: { 'Segment.io': { apiHost: '${apiHost}', protocol: '${url.protocol.replace(':', '')}' } } },
);

analytics.page();
analytics.track('Signed Up', { plan: 'pro' });`;
}

function nodeSnippet(writeKey: string, endpoint: string): string {
  return `import { Analytics } from '@segment/analytics-node';

const analytics = new Analytics({ writeKey: '${writeKey}', host: '${endpoint}' });

analytics.identify({ userId: 'user-123', traits: { email: 'ada@example.com' } });
analytics.track({ userId: 'user-123', event: 'Order Completed', properties: { total: 42 } });`;
}

function Snippets({ sources }: { sources: Sources }) {
  const [tab, setTab] = useState<'browser' | 'node'>('browser');
  const code =
    tab === 'browser'
      ? browserSnippet(sources.writeKey, sources.endpoint)
      : nodeSnippet(sources.writeKey, sources.endpoint);
  return (
    <section className="card" aria-labelledby="snippets-title" data-testid="snippets">
      <h2 id="snippets-title">Send events</h2>
      <p className="muted">
        Herald speaks Segment&apos;s tracking API: point the official library at{' '}
        <code>{sources.endpoint}</code> and your existing <code>track</code>, <code>identify</code>{' '}
        and <code>page</code> calls arrive here.
      </p>
      <div className="sources-tabs" role="group" aria-label="Library">
        <button
          type="button"
          className={`button ${tab === 'browser' ? 'primary' : 'secondary'}`}
          aria-pressed={tab === 'browser'}
          onClick={() => {
            setTab('browser');
          }}
        >
          Website (analytics.js)
        </button>
        <button
          type="button"
          className={`button ${tab === 'node' ? 'primary' : 'secondary'}`}
          aria-pressed={tab === 'node'}
          onClick={() => {
            setTab('node');
          }}
        >
          Server (Node.js)
        </button>
        <CopyButton text={code} label="Copy the snippet" />
      </div>
      <pre className="sources-code" data-testid="snippet">
        <code>{code}</code>
      </pre>
      <p className="muted small">
        {tab === 'browser'
          ? 'Install with npm install @segment/analytics-next.'
          : 'Install with npm install @segment/analytics-node. Call analytics.closeAndFlush() before the process exits.'}
      </p>
    </section>
  );
}
