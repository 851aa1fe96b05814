// The suppression list: addresses Herald never emails again (they unsubscribed, bounced or
// complained, or someone added them by hand). Add an address with its reason; take one off with a
// note saying why, which the server logs with who removed it.
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type SubmitEvent, useState } from 'react';

import { idempotencyKey, unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { components } from '../api/schema';
import { DataTable } from '../components/data-table';
import { ErrorNotice } from '../components/error-notice';
import { EmptyState, Field, formatDateTime, PageHeader, Skeleton } from '../components/ui';
import { useDocumentTitle } from '../hooks/use-document-title';
import { can } from '../state/business-permissions';
import { useScopedBusiness } from './business-scope';

type Suppression = components['schemas']['Suppression'];
type Reason = Suppression['reason'];

export const SUPPRESSION_REASONS: { value: Reason; label: string }[] = [
  { value: 'manual', label: 'Added by hand' },
  { value: 'unsubscribed', label: 'Unsubscribed' },
  { value: 'bounced', label: 'Bounced' },
  { value: 'complained', label: 'Marked as spam' },
];

const reasonLabel = (reason: Reason) =>
  SUPPRESSION_REASONS.find((entry) => entry.value === reason)?.label ?? reason;

const suppressionKeys = {
  all: (businessId: string) => ['business', businessId, 'suppressions'] as const,
};

function useSuppressions(businessId: string) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: suppressionKeys.all(businessId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/suppressions', {
          params: {
            path: { businessId },
            query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

function AddSuppression({ businessId }: { businessId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [reason, setReason] = useState<Reason>('manual');
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/suppressions', {
          params: { path: { businessId } },
          body: { email: email.trim(), reason },
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: () => {
      setEmail('');
      setReason('manual');
      return queryClient.invalidateQueries({ queryKey: suppressionKeys.all(businessId) });
    },
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="add-suppression-title">
      <h2 id="add-suppression-title">Stop emailing an address</h2>
      <Field label="Email address">
        {({ id }) => (
          <input
            id={id}
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(event) => {
              setEmail(event.target.value);
            }}
          />
        )}
      </Field>
      <Field label="Why">
        {({ id }) => (
          <select
            id={id}
            value={reason}
            onChange={(event) => {
              setReason(event.target.value as Reason);
            }}
          >
            {SUPPRESSION_REASONS.map((entry) => (
              <option key={entry.value} value={entry.value}>
                {entry.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {add.isError && <ErrorNotice error={add.error} title="The address was not added" />}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={add.isPending}>
          {add.isPending ? 'Adding…' : 'Add to the list'}
        </button>
      </div>
    </form>
  );
}

function RemoveSuppression(props: {
  businessId: string;
  suppression: Suppression;
  onDone: () => void;
}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const [tried, setTried] = useState(false);
  const remove = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/suppressions/removals', {
          params: { path: { businessId: props.businessId } },
          body: { email: props.suppression.email, note: note.trim() },
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: suppressionKeys.all(props.businessId) });
      props.onDone();
    },
  });
  const tooShort = note.trim().length < 3;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setTried(true);
    if (!tooShort) remove.mutate();
  };
  return (
    <form className="form" onSubmit={submit} data-testid="remove-suppression">
      <p className="small">
        {props.suppression.email} will be emailed again by campaigns and sequences it is part of.
      </p>
      <Field
        label="Why may it be emailed again?"
        hint="Kept in the log with your name, e.g. “Mailbox fixed, confirmed by phone”."
        error={tried && tooShort ? 'Say why, in a few words.' : undefined}
      >
        {({ id, describedBy, invalid }) => (
          <textarea
            id={id}
            rows={2}
            maxLength={500}
            value={note}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onChange={(event) => {
              setNote(event.target.value);
            }}
          />
        )}
      </Field>
      {remove.isError && <ErrorNotice error={remove.error} title="The address was not removed" />}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={remove.isPending}>
          {remove.isPending ? 'Removing…' : 'Remove from the list'}
        </button>
        <button type="button" className="button secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function SuppressionsPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Do-not-email list', business.name);
  const list = useSuppressions(business.id);
  const [removing, setRemoving] = useState<string | null>(null);
  const write = can(business, 'content.write');
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <PageHeader
        title="Do-not-email list"
        description="Addresses Herald never emails, whatever campaign or sequence they are in. People who unsubscribe, bounce or mark an email as spam are added automatically."
      />
      <div className="stack">
        {write && <AddSuppression businessId={business.id} />}
        {list.isPending && <Skeleton lines={5} height={32} label="Loading the list…" />}
        {list.isError && (
          <ErrorNotice
            error={list.error}
            title="Could not load the do-not-email list"
            onRetry={() => void list.refetch()}
          />
        )}
        {list.isSuccess && items.length === 0 && (
          <EmptyState title="Nobody is on the list" testId="suppressions-empty">
            <p>Every subscriber who has agreed to hear from this business can be emailed.</p>
          </EmptyState>
        )}
        {items.length > 0 && (
          <DataTable
            label="Do-not-email list"
            rows={items}
            rowKey={(row) => row.id}
            rowTestId="suppression-row"
            detail={(row) =>
              removing === row.id ? (
                <RemoveSuppression
                  businessId={business.id}
                  suppression={row}
                  onDone={() => {
                    setRemoving(null);
                  }}
                />
              ) : null
            }
            columns={[
              { header: 'Email', cellClassName: 'break', cell: (row) => row.email },
              { header: 'Why', cell: (row) => reasonLabel(row.reason) },
              {
                header: 'Since',
                className: 'hide-narrow',
                cell: (row) => formatDateTime(row.createdAt),
              },
              {
                header: <span className="visually-hidden">Actions</span>,
                cell: (row) =>
                  write && (
                    <button
                      type="button"
                      className="button link"
                      aria-label={`Remove ${row.email}`}
                      aria-expanded={removing === row.id}
                      onClick={() => {
                        setRemoving(removing === row.id ? null : row.id);
                      }}
                    >
                      Remove
                    </button>
                  ),
              },
            ]}
          />
        )}
        {list.hasNextPage && (
          <p>
            <button
              type="button"
              className="button secondary"
              disabled={list.isFetchingNextPage}
              onClick={() => void list.fetchNextPage()}
            >
              {list.isFetchingNextPage ? 'Loading…' : 'Show more'}
            </button>
          </p>
        )}
      </div>
    </>
  );
}
