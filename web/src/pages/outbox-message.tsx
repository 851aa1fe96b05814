// One kept email, opened under its row: shown as the subscriber would see it — the HTML part in
// a sandboxed frame (no scripts, nothing loaded from the network), or the plain-text part — with
// the whole MIME source one click away.
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';

import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import { keys } from '../api/queries';
import { ErrorNotice } from '../components/error-notice';
import { Skeleton } from '../components/ui';
import { previewDocument, readEmail } from './outbox-mime';

type View = 'html' | 'text' | 'source';

const VIEW_LABELS: Record<View, string> = {
  html: 'Email',
  text: 'Plain text',
  source: 'Source',
};

export function OutboxMessageView({
  businessId,
  entryId,
}: {
  businessId: string;
  entryId: string;
}) {
  const api = useApi();
  const message = useQuery({
    queryKey: [...keys.outbox(businessId), entryId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/outbox/{outboxMessageId}', {
          params: { path: { businessId, outboxMessageId: entryId } },
          signal,
        }),
      ),
    staleTime: Infinity, // a kept message never changes
  });
  const email = useMemo(
    () => (message.data ? readEmail(message.data.raw) : undefined),
    [message.data],
  );
  const [chosen, setChosen] = useState<View | null>(null);

  if (message.isPending) return <Skeleton lines={4} label="Loading the message…" />;
  if (message.isError) {
    return <ErrorNotice error={message.error} onRetry={() => void message.refetch()} />;
  }
  const views: View[] = [
    ...(email?.html !== null && email?.html !== undefined ? (['html'] as const) : []),
    ...(email?.text !== null && email?.text !== undefined ? (['text'] as const) : []),
    'source',
  ];
  const view = chosen && views.includes(chosen) ? chosen : (views[0] ?? 'source');

  return (
    <div className="mime" data-testid="outbox-message">
      <p className="muted small">
        From {message.data.entry.from} · Message-ID {message.data.entry.messageId}
      </p>
      <div className="segmented" role="group" aria-label="Show the email as">
        {views.map((option) => (
          <button
            key={option}
            type="button"
            className="button secondary"
            aria-pressed={view === option}
            onClick={() => {
              setChosen(option);
            }}
          >
            {VIEW_LABELS[option]}
          </button>
        ))}
      </div>
      {view === 'html' && email?.html != null && (
        <>
          <iframe
            className="email-frame"
            title={`The email as subscribers see it: ${message.data.entry.subject}`}
            sandbox=""
            referrerPolicy="no-referrer"
            srcDoc={previewDocument(email.html)}
            data-testid="email-rendered"
          />
          <p className="muted small">
            Images from the web and the open-tracking pixel are not loaded here, so reading a kept
            email never counts as an open.
          </p>
        </>
      )}
      {view === 'text' && email?.text != null && (
        <pre className="email-text" tabIndex={0} aria-label="The plain-text part of the email">
          {email.text}
        </pre>
      )}
      {view === 'source' && (
        <pre tabIndex={0} aria-label="The whole email as sent (MIME source)">
          {message.data.raw}
        </pre>
      )}
    </div>
  );
}
