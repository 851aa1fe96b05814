// The messages log: every conversation with a customer the business recorded (emails, texts,
// social replies, chats, calls), newest first, filtered by channel, direction, status or who it
// was with; a message handled outside Herald can be written down here by hand.
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type SubmitEvent, useDeferredValue, useState } from 'react';

import { idempotencyKey, unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { components, paths } from '../api/schema';
import { DataTable } from '../components/data-table';
import { ErrorNotice } from '../components/error-notice';
import { EmptyState, Field, formatDateTime, PageHeader, Skeleton } from '../components/ui';
import { useDocumentTitle } from '../hooks/use-document-title';
import { can } from '../state/business-permissions';
import { useScopedBusiness } from './business-scope';

type Message = components['schemas']['Message'];
type CreateMessage = NonNullable<
  paths['/api/v1/businesses/{businessId}/messages']['post']['requestBody']
>['content']['application/json'];
type Channel = CreateMessage['channel'];
type Direction = CreateMessage['direction'];
type Status = NonNullable<CreateMessage['status']>;

const CHANNELS: { value: Channel; label: string }[] = [
  { value: 'email', label: 'Email' },
  { value: 'sms', label: 'Text message' },
  { value: 'social', label: 'Social media' },
  { value: 'chat', label: 'Chat' },
  { value: 'phone', label: 'Phone call' },
  { value: 'other', label: 'Other' },
];
const DIRECTIONS: { value: Direction; label: string }[] = [
  { value: 'inbound', label: 'From the customer' },
  { value: 'outbound', label: 'To the customer' },
];
const STATUSES: { value: Status; label: string }[] = [
  { value: 'received', label: 'Received' },
  { value: 'queued', label: 'Waiting to send' },
  { value: 'sent', label: 'Sent' },
  { value: 'delivered', label: 'Delivered' },
  { value: 'read', label: 'Read' },
  { value: 'failed', label: 'Failed' },
];

const labelOf = (list: { value: string; label: string }[], value: string) =>
  list.find((entry) => entry.value === value)?.label ?? value;

interface MessageFilter {
  channel: Channel | '';
  direction: Direction | '';
  status: Status | '';
  customerRef: string;
}

const messageKeys = {
  all: (businessId: string) => ['business', businessId, 'messages'] as const,
  list: (businessId: string, filter: MessageFilter) =>
    [
      'business',
      businessId,
      'messages',
      filter.channel,
      filter.direction,
      filter.status,
      filter.customerRef,
    ] as const,
};

function useMessages(businessId: string, filter: MessageFilter) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: messageKeys.list(businessId, filter),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/messages', {
          params: {
            path: { businessId },
            query: {
              limit: 25,
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(filter.channel ? { channel: filter.channel } : {}),
              ...(filter.direction ? { direction: filter.direction } : {}),
              ...(filter.status ? { status: filter.status } : {}),
              ...(filter.customerRef.trim() ? { customerRef: filter.customerRef.trim() } : {}),
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

function Select<T extends string>(props: {
  label: string;
  value: T | '';
  options: { value: T; label: string }[];
  anyLabel?: string;
  onChange: (value: T | '') => void;
}) {
  return (
    <Field label={props.label}>
      {({ id }) => (
        <select
          id={id}
          value={props.value}
          onChange={(event) => {
            props.onChange(event.target.value as T | '');
          }}
        >
          {props.anyLabel !== undefined && <option value="">{props.anyLabel}</option>}
          {props.options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function MessageForm({ businessId, onDone }: { businessId: string; onDone: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [channel, setChannel] = useState<Channel>('email');
  const [direction, setDirection] = useState<Direction>('inbound');
  const [status, setStatus] = useState<Status>('received');
  const [customerRef, setCustomerRef] = useState('');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/messages', {
          params: { path: { businessId } },
          body: {
            channel,
            direction,
            status,
            customerRef: customerRef.trim() || null,
            subject: subject.trim() || null,
            body,
          },
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: messageKeys.all(businessId) });
      onDone();
    },
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const text = (label: string, value: string, set: (value: string) => void, hint?: string) => (
    <Field label={label} hint={hint}>
      {({ id, describedBy }) => (
        <input
          id={id}
          value={value}
          maxLength={label === 'Subject' ? 300 : 200}
          aria-describedby={describedBy}
          onChange={(event) => {
            set(event.target.value);
          }}
        />
      )}
    </Field>
  );
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="message-form-title">
      <h2 id="message-form-title">Record a message</h2>
      <Select
        label="Channel"
        value={channel}
        options={CHANNELS}
        onChange={(value) => {
          if (value) setChannel(value);
        }}
      />
      <Select
        label="Direction"
        value={direction}
        options={DIRECTIONS}
        onChange={(value) => {
          if (value) setDirection(value);
        }}
      />
      <Select
        label="Status"
        value={status}
        options={STATUSES}
        onChange={(value) => {
          if (value) setStatus(value);
        }}
      />
      {text('Customer', customerRef, setCustomerRef, 'An email address, phone number or handle')}
      {text('Subject', subject, setSubject)}
      <Field label="Message">
        {({ id }) => (
          <textarea
            id={id}
            rows={4}
            maxLength={50_000}
            value={body}
            onChange={(event) => {
              setBody(event.target.value);
            }}
          />
        )}
      </Field>
      {save.isError && <ErrorNotice error={save.error} title="The message was not recorded" />}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save message'}
        </button>
        <button type="button" className="button secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function MessagesPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Messages', business.name);
  const [channel, setChannel] = useState<Channel | ''>('');
  const [direction, setDirection] = useState<Direction | ''>('');
  const [status, setStatus] = useState<Status | ''>('');
  const [customerRef, setCustomerRef] = useState('');
  const deferredCustomer = useDeferredValue(customerRef);
  const [adding, setAdding] = useState(false);
  const filter = { channel, direction, status, customerRef: deferredCustomer };
  const filtered = channel !== '' || direction !== '' || status !== '' || deferredCustomer !== '';
  const messages = useMessages(business.id, filter);
  const items: Message[] = messages.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <PageHeader
        title="Messages"
        description="Conversations with customers across email, texts, social media, chat and phone, newest first."
        actions={
          !adding &&
          can(business, 'content.write') && (
            <button
              type="button"
              className="button primary"
              onClick={() => {
                setAdding(true);
              }}
            >
              Record a message
            </button>
          )
        }
      />
      <div className="stack">
        {adding && (
          <MessageForm
            businessId={business.id}
            onDone={() => {
              setAdding(false);
            }}
          />
        )}
        <div className="toolbar" role="search">
          <Select
            label="Channel"
            value={channel}
            options={CHANNELS}
            anyLabel="Any"
            onChange={setChannel}
          />
          <Select
            label="Direction"
            value={direction}
            options={DIRECTIONS}
            anyLabel="Either"
            onChange={setDirection}
          />
          <Select
            label="Status"
            value={status}
            options={STATUSES}
            anyLabel="Any"
            onChange={setStatus}
          />
          <Field label="Customer">
            {({ id }) => (
              <input
                id={id}
                type="search"
                placeholder="Email, phone or handle"
                value={customerRef}
                onChange={(event) => {
                  setCustomerRef(event.target.value);
                }}
              />
            )}
          </Field>
        </div>
        {messages.isPending && <Skeleton lines={6} height={32} label="Loading messages…" />}
        {messages.isError && (
          <ErrorNotice
            error={messages.error}
            title="Could not load the messages"
            onRetry={() => void messages.refetch()}
          />
        )}
        {messages.isSuccess && items.length === 0 && !filtered && (
          <EmptyState title="No messages yet" testId="messages-empty">
            <p>
              Messages appear here when an integration records them, or when you record one by hand.
            </p>
          </EmptyState>
        )}
        {messages.isSuccess && items.length === 0 && filtered && (
          <p className="muted" role="status" data-testid="messages-no-match">
            No message matches these filters.
          </p>
        )}
        {items.length > 0 && (
          <DataTable
            label="Messages"
            rows={items}
            rowKey={(message) => message.id}
            rowTestId="message-row"
            columns={[
              {
                header: 'Message',
                cellClassName: 'break',
                cell: (message) => (
                  <>
                    <strong>{message.subject ?? labelOf(CHANNELS, message.channel)}</strong>
                    {message.body && (
                      <div className="muted small">
                        {message.body.length > 140
                          ? `${message.body.slice(0, 140)}…`
                          : message.body}
                      </div>
                    )}
                  </>
                ),
              },
              {
                header: 'Customer',
                cellClassName: 'break',
                cell: (message) => message.customerRef ?? '—',
              },
              {
                header: 'Channel',
                cell: (message) => (
                  <>
                    {labelOf(CHANNELS, message.channel)}
                    <div className="muted small">{labelOf(DIRECTIONS, message.direction)}</div>
                  </>
                ),
              },
              { header: 'Status', cell: (message) => labelOf(STATUSES, message.status) },
              {
                header: 'When',
                className: 'hide-narrow',
                cell: (message) => formatDateTime(message.createdAt),
              },
            ]}
          />
        )}
        {messages.hasNextPage && (
          <p>
            <button
              type="button"
              className="button secondary"
              disabled={messages.isFetchingNextPage}
              onClick={() => void messages.fetchNextPage()}
            >
              {messages.isFetchingNextPage ? 'Loading…' : 'Show more'}
            </button>
          </p>
        )}
      </div>
    </>
  );
}
