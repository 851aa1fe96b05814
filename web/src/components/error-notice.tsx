// How every page shows a failed request: a rate limit with the wait from Retry-After, a server
// error with the correlation ID to report, a lost connection with a retry, and anything else
// with the server's own message; and a page's resource that is not found.
import { type ReactNode, useEffect, useState } from 'react';

import { ApiError, NetworkError } from '../api/errors';
import { EmptyState } from './ui';

/** Seconds left of a wait that started at mount; 0 when over. */
export function useCountdown(seconds: number | null): number {
  const [deadline] = useState(() => Date.now() + (seconds ?? 0) * 1000);
  const [left, setLeft] = useState(() => Math.max(0, seconds ?? 0));
  useEffect(() => {
    if (left <= 0) return;
    const timer = setInterval(() => {
      setLeft(Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
    }, 250);
    return () => {
      clearInterval(timer);
    };
  }, [deadline, left]);
  return left;
}

interface ErrorNoticeProps {
  error: unknown;
  /** Shown as a retry button (enabled once any rate-limit wait is over). */
  onRetry?: () => void;
  /** What was being attempted, e.g. "Could not load your businesses". */
  title?: string;
}

export function ErrorNotice({ error, onRetry, title }: ErrorNoticeProps) {
  // Remount (and restart the countdown) for each new error.
  const key = error instanceof ApiError ? `${error.correlationId ?? ''}${error.code}` : 'other';
  return <ErrorNoticeBody key={key} error={error} onRetry={onRetry} title={title} />;
}

function ErrorNoticeBody({ error, onRetry, title }: ErrorNoticeProps) {
  const rateLimited = error instanceof ApiError && error.isRateLimited;
  const wait = useCountdown(rateLimited ? (error.retryAfterSeconds ?? 60) : null);

  if (error instanceof NetworkError) {
    return (
      <Notice kind="warning" title={title ?? 'Can’t reach Herald'} testId="network-error">
        <p>Check your connection; nothing was lost. Herald may also be restarting.</p>
        {onRetry && <RetryButton onRetry={onRetry} />}
      </Notice>
    );
  }

  if (error instanceof ApiError && rateLimited) {
    return (
      <Notice kind="warning" title="Slow down a little" testId="rate-limited">
        <p>
          Too many requests in a short time.{' '}
          {wait > 0 ? (
            <>
              You can try again in{' '}
              <strong data-testid="retry-after">
                {wait} second{wait === 1 ? '' : 's'}
              </strong>
              .
            </>
          ) : (
            'You can try again now.'
          )}
        </p>
        {onRetry && <RetryButton onRetry={onRetry} disabled={wait > 0} />}
      </Notice>
    );
  }

  if (error instanceof ApiError && error.isServerError) {
    // AI and upstream failures carry a message written for the user; INTERNAL never does.
    const message =
      error.code === 'INTERNAL'
        ? 'Something went wrong on our side. It was logged; trying again often helps.'
        : error.message;
    return (
      <Notice kind="error" title={title ?? 'That didn’t work'} testId="server-error">
        <p>{message}</p>
        {error.correlationId && <CorrelationId id={error.correlationId} />}
        {onRetry && <RetryButton onRetry={onRetry} />}
      </Notice>
    );
  }

  const message =
    error instanceof ApiError
      ? error.message
      : 'Something unexpected happened in the dashboard. Reloading the page usually fixes it.';
  return (
    <Notice kind="error" title={title ?? 'That didn’t work'} testId="request-error">
      <p>{message}</p>
      {onRetry && <RetryButton onRetry={onRetry} />}
    </Notice>
  );
}

export function CorrelationId({ id }: { id: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <p className="correlation">
      If it keeps happening, report this reference: <code data-testid="correlation-id">{id}</code>{' '}
      {typeof navigator !== 'undefined' && 'clipboard' in navigator && (
        <button
          type="button"
          className="button link"
          onClick={() => {
            navigator.clipboard.writeText(id).then(
              () => {
                setCopied(true);
              },
              () => undefined,
            );
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      )}
    </p>
  );
}

function RetryButton({ onRetry, disabled = false }: { onRetry: () => void; disabled?: boolean }) {
  return (
    <button type="button" className="button secondary" onClick={onRetry} disabled={disabled}>
      Try again
    </button>
  );
}

function Notice(props: {
  kind: 'warning' | 'error';
  title: string;
  testId: string;
  children: ReactNode;
}) {
  return (
    <div className={`notice ${props.kind}`} role="alert" data-testid={props.testId}>
      <strong className="notice-title">{props.title}</strong>
      {props.children}
    </div>
  );
}

/**
 * Why a page's one resource (a business, a campaign, a piece) is not shown. A 400 or 404 is "not
 * found" with the way back: it was deleted, belongs to another account, or the id is mistyped.
 * Anything else is the error with a retry.
 */
export function LoadFailure(props: {
  error: unknown;
  notFoundTitle: string;
  back: { label: string; to: string };
  /** Why it may be gone. */
  children: ReactNode;
  errorTitle: string;
  onRetry: () => void;
}) {
  if (props.error instanceof ApiError && [400, 404].includes(props.error.status)) {
    return (
      <EmptyState title={props.notFoundTitle} action={props.back}>
        {props.children}
      </EmptyState>
    );
  }
  return <ErrorNotice error={props.error} title={props.errorTitle} onRetry={props.onRetry} />;
}
