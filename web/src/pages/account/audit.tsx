// The account's security audit trail: sign-ins, password changes, API keys created and revoked,
// businesses created and deleted, email sequences started and stopped — newest first, a page at
// a time, in words a marketer reads.
import { useInfiniteQuery } from '@tanstack/react-query';

import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import type { components } from '../../api/schema';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { accountKeys } from './api-keys';

type AuditEvent = components['schemas']['AuditEvent'];

const ACTION_LABELS: Record<string, string> = {
  'auth.register': 'Account created',
  'auth.login': 'Signed in',
  'auth.logout': 'Signed out',
  'auth.locked': 'Sign-in locked after failed attempts',
  'auth.password_changed': 'Password changed',
  'auth.refresh_reuse': 'Old session reused: all sessions signed out',
  'api_key.created': 'API key created',
  'api_key.revoked': 'API key revoked',
  'business.created': 'Business created',
  'business.deleted': 'Business deleted',
  'business.write_key_rotated': 'Business write key replaced',
  'sequence.activated': 'Email sequence activated',
  'sequence.paused': 'Email sequence paused',
  'sequence.resumed': 'Email sequence resumed',
  'sequence.archived': 'Email sequence archived',
};

export function actionLabel(event: Pick<AuditEvent, 'action' | 'outcome'>): string {
  const label =
    ACTION_LABELS[event.action] ??
    event.action.replace(/[._]/g, ' ').replace(/^./, (first) => first.toUpperCase());
  if (event.outcome !== 'failure') return label;
  return event.action === 'auth.login' ? 'Sign-in failed' : `${label} (failed)`;
}

/** The detail worth reading: the key's or business's name when the event names one. */
function detailOf(event: AuditEvent): string | null {
  const { details } = event;
  if (typeof details.prefix === 'string') return `Key ${details.prefix}…`;
  for (const field of ['name', 'apiKeyName', 'businessName', 'email']) {
    const value = details[field];
    if (typeof value === 'string' && value) return value;
  }
  return null;
}

const PAGE_SIZE = 25;

export function AuditPage() {
  useDocumentTitle('Security activity');
  const api = useApi();
  const events = useInfiniteQuery({
    queryKey: accountKeys.audit,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/auth/audit-events', {
          params: { query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader
        title="Security activity"
        description="Everything that changed how you or your tools get into Herald, newest first."
      />
      {events.isPending && <Skeleton lines={6} height={28} label="Loading your activity…" />}
      {events.isError && (
        <ErrorNotice
          error={events.error}
          title="Could not load your activity"
          onRetry={() => void events.refetch()}
        />
      )}
      {events.isSuccess && items.length === 0 && (
        <EmptyState title="No activity yet" testId="audit-empty">
          <p>Sign-ins and changes to your keys and businesses will be listed here.</p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <div className="account-table">
          <DataTable
            label="Security activity"
            rows={items}
            rowKey={(event) => event.id}
            rowTestId="audit-row"
            columns={[
              {
                header: 'What',
                cell: (event) => (
                  <>
                    <span data-testid="audit-action">{actionLabel(event)}</span>
                    {detailOf(event) && (
                      <div className="muted small home-wrap">{detailOf(event)}</div>
                    )}
                  </>
                ),
              },
              { header: 'When', cell: (event) => formatDateTime(event.createdAt) },
              {
                header: 'From',
                className: 'hide-narrow',
                cell: (event) => <span className="home-wrap">{event.ip ?? '—'}</span>,
              },
            ]}
          />
        </div>
      )}
      {events.hasNextPage && (
        <button
          type="button"
          className="button secondary"
          disabled={events.isFetchingNextPage}
          onClick={() => void events.fetchNextPage()}
        >
          {events.isFetchingNextPage ? 'Loading…' : 'Show older activity'}
        </button>
      )}
    </>
  );
}
