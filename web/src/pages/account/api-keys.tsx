// The account's API keys: create one with read or read-and-write access (its secret is shown
// this once, with a copy button), see when each was last used, and revoke one after confirming.
// Keys belong to the user, not to a business, so this page sits in the account area.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type SyntheticEvent, useState } from 'react';

import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import type { components } from '../../api/schema';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, Field, formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';

type ApiKey = components['schemas']['ApiKey'];
type CreatedApiKey = components['schemas']['CreatedApiKey'];

export const accountKeys = {
  apiKeys: ['account', 'api-keys'] as const,
  audit: ['account', 'audit-events'] as const,
};

const ACCESS = {
  read: { label: 'Read only', scopes: ['read'] },
  write: { label: 'Read and write', scopes: ['read', 'write'] },
} as const;

export function scopesLabel(scopes: readonly string[]): string {
  return scopes.includes('write') ? ACCESS.write.label : ACCESS.read.label;
}

export function ApiKeysPage() {
  useDocumentTitle('API keys');
  const api = useApi();
  const queryClient = useQueryClient();
  const keys = useQuery({
    queryKey: accountKeys.apiKeys,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/auth/api-keys', { params: { query: { limit: 100 } }, signal })),
  });
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: accountKeys.apiKeys });
    void queryClient.invalidateQueries({ queryKey: accountKeys.audit });
  };
  const revoke = useMutation({
    mutationFn: (key: ApiKey) =>
      unwrap(
        api.DELETE('/api/v1/auth/api-keys/{apiKeyId}', {
          params: { path: { apiKeyId: key.id } },
        }),
      ),
    onSuccess: refresh,
  });
  const items = keys.data?.items ?? [];

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys let your own scripts and tools use Herald’s API as you. Keep them secret; revoke one you no longer use."
      />
      <CreateKeyForm
        onCreated={(key) => {
          setCreated(key);
          refresh();
        }}
      />
      {created && (
        <NewSecret
          apiKey={created}
          onDismiss={() => {
            setCreated(null);
          }}
        />
      )}
      {revoke.isError && <ErrorNotice error={revoke.error} title="Could not revoke the key" />}
      {keys.isPending && <Skeleton lines={4} height={28} label="Loading your API keys…" />}
      {keys.isError && (
        <ErrorNotice
          error={keys.error}
          title="Could not load your API keys"
          onRetry={() => void keys.refetch()}
        />
      )}
      {keys.isSuccess && items.length === 0 && (
        <EmptyState title="No API keys yet" testId="api-keys-empty">
          <p>Create a key above to use Herald from your own scripts.</p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <div className="account-table">
          <DataTable
            label="API keys"
            rows={items}
            rowKey={(key) => key.id}
            rowTestId="api-key-row"
            columns={[
              {
                header: 'Key',
                cell: (key) => (
                  <>
                    {key.name}
                    <div className="muted small">
                      <code>{key.prefix}…</code>
                    </div>
                  </>
                ),
              },
              { header: 'Access', cell: (key) => scopesLabel(key.scopes) },
              {
                header: 'Last used',
                className: 'hide-narrow',
                cell: (key) => (key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'Never'),
              },
              {
                header: 'Created',
                className: 'hide-narrow',
                cell: (key) => formatDateTime(key.createdAt),
              },
              {
                header: 'Status',
                cell: (key) =>
                  key.revokedAt ? (
                    <span className="muted" data-testid="api-key-revoked">
                      Revoked {formatDateTime(key.revokedAt)}
                    </span>
                  ) : (
                    <button
                      type="button"
                      className="button secondary"
                      disabled={revoke.isPending}
                      onClick={() => {
                        if (
                          window.confirm(
                            `Revoke “${key.name}”? Anything using it stops working at once.`,
                          )
                        ) {
                          revoke.mutate(key);
                        }
                      }}
                    >
                      Revoke
                    </button>
                  ),
              },
            ]}
          />
        </div>
      )}
    </>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [access, setAccess] = useState<keyof typeof ACCESS>('read');
  const [nameError, setNameError] = useState<string | undefined>();
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/auth/api-keys', {
          body: { name: name.trim(), scopes: [...ACCESS[access].scopes] },
        }),
      ),
    onSuccess: (key) => {
      setName('');
      onCreated(key);
    },
  });
  function submit(event: SyntheticEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setNameError('Give the key a name, e.g. the script that will use it.');
      return;
    }
    setNameError(undefined);
    create.mutate();
  }
  return (
    <form className="card form home-section" onSubmit={submit} aria-label="New API key" noValidate>
      <h2>New API key</h2>
      <Field label="Key name" error={nameError} hint="Say what will use it, e.g. “Weekly report”.">
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            maxLength={100}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            value={name}
            onChange={(event) => {
              setName(event.target.value);
            }}
          />
        )}
      </Field>
      <fieldset className="field">
        <legend>Access</legend>
        {(Object.keys(ACCESS) as (keyof typeof ACCESS)[]).map((option) => (
          <label key={option} className="home-radio">
            <input
              type="radio"
              name="access"
              value={option}
              checked={access === option}
              onChange={() => {
                setAccess(option);
              }}
            />{' '}
            {ACCESS[option].label}
          </label>
        ))}
      </fieldset>
      {create.isError && <ErrorNotice error={create.error} title="Could not create the key" />}
      <button type="submit" className="button" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create key'}
      </button>
    </form>
  );
}

function NewSecret({ apiKey, onDismiss }: { apiKey: CreatedApiKey; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="card home-section" role="status" data-testid="new-secret">
      <h2>Copy your new key now</h2>
      <p>
        This is the only time Herald shows the secret of “{apiKey.name}”. Store it somewhere safe;
        if you lose it, revoke the key and create another.
      </p>
      <p>
        <code className="home-wrap" data-testid="new-secret-value">
          {apiKey.key}
        </code>
      </p>
      <div className="home-actions">
        {typeof navigator !== 'undefined' && 'clipboard' in navigator && (
          <button
            type="button"
            className="button"
            onClick={() => {
              navigator.clipboard.writeText(apiKey.key).then(
                () => {
                  setCopied(true);
                },
                () => undefined,
              );
            }}
          >
            {copied ? 'Copied' : 'Copy key'}
          </button>
        )}
        <button type="button" className="button secondary" onClick={onDismiss}>
          I have stored it
        </button>
      </div>
    </div>
  );
}
