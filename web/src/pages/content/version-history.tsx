// Every version of a piece's text (generated, edited, or restored), two of them side by side with
// the changed fields marked, and restoring an earlier one (as a new version). A generated version
// says what made it — Herald's built-in template or an AI model — from its job's `generatedBy`.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';

import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { type Job, keys } from '../../api/queries';
import { ErrorNotice } from '../../components/error-notice';
import { Field, formatDateTime, Skeleton } from '../../components/ui';
import {
  campaignKeys,
  type Content,
  type ContentVersion,
  useContentVersions,
} from '../campaigns/queries';
import { type Body, fieldsOf, listOf, textOf } from './platform-fields';

const SOURCE_LABELS: Record<ContentVersion['source'], string> = {
  ai: 'Generated',
  edit: 'Edited',
  restore: 'Restored',
};

/** Who wrote a generated version, from its job's result: the built-in template or a model. */
export function generatedLabel(job: Pick<Job, 'result'> | undefined): string {
  const made = job?.result?.generatedBy;
  const providers = Array.isArray(made)
    ? made.flatMap((entry: unknown) => {
        const { provider, model } = (entry ?? {}) as { provider?: unknown; model?: unknown };
        if (typeof provider !== 'string') return [];
        return [{ provider, model: typeof model === 'string' ? model : provider }];
      })
    : [];
  const last = providers.at(-1);
  if (!last) return SOURCE_LABELS.ai;
  return last.provider === 'builtin'
    ? 'Drafted by the built-in template (no AI model)'
    : `Written by the AI (${last.model})`;
}

/** A version's origin; a generated one names the template or model once its job is read. */
function VersionSource({ version }: { version: ContentVersion }) {
  const api = useApi();
  const jobId = version.source === 'ai' ? version.jobId : null;
  const job = useQuery({
    queryKey: keys.job(jobId ?? ''),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/jobs/{jobId}', { params: { path: { jobId: jobId ?? '' } }, signal })),
    enabled: jobId !== null,
    staleTime: Infinity,
    retry: false,
  });
  return (
    <span data-testid="version-source">
      {version.source === 'ai' ? generatedLabel(job.data) : SOURCE_LABELS[version.source]}
    </span>
  );
}

/** A field's text for comparison: list fields one item per line. */
export function fieldText(body: Body, key: string): string {
  return Array.isArray(body[key]) ? listOf(body, key).join('\n') : textOf(body, key);
}

export function VersionHistory(props: { content: Content; canRestore: boolean }) {
  const { content, canRestore } = props;
  const api = useApi();
  const queryClient = useQueryClient();
  const versions = useContentVersions(content.businessId, content.id);
  const [left, setLeft] = useState<number | null>(null);
  const [right, setRight] = useState<number | null>(null);
  const restore = useMutation({
    mutationFn: (version: number) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/contents/{contentId}/restore', {
          params: { path: { businessId: content.businessId, contentId: content.id } },
          body: { version },
        }),
      ),
    onSuccess: (updated) => {
      queryClient.setQueryData(campaignKeys.content(content.businessId, content.id), updated);
      return queryClient.invalidateQueries({ queryKey: keys.content(content.businessId) });
    },
  });

  if (versions.isPending) return <Skeleton lines={3} label="Loading the versions…" />;
  if (versions.isError) {
    return (
      <ErrorNotice
        error={versions.error}
        title="Could not load the versions"
        onRetry={() => void versions.refetch()}
      />
    );
  }
  const items = versions.data.items;
  if (items.length === 0) {
    return (
      <section className="card" aria-labelledby="versions-title">
        <h2 id="versions-title">Version history</h2>
        <p className="muted" data-testid="versions-empty">
          No text yet: generate it or write it, and every save becomes a version here.
        </p>
      </section>
    );
  }
  const newest = items[0]?.version ?? 0;
  const a = items.find((v) => v.version === (left ?? items[1]?.version ?? newest));
  const b = items.find((v) => v.version === (right ?? newest));

  return (
    <section className="card" aria-labelledby="versions-title" data-testid="versions">
      <h2 id="versions-title">Version history</h2>
      <ol className="versions">
        {items.map((version) => (
          <li key={version.version} data-testid="version-row">
            <span>
              <strong>v{version.version}</strong> · <VersionSource version={version} /> ·{' '}
              <span className="muted small">{formatDateTime(version.createdAt)}</span>
              {version.version === content.currentVersion && (
                <span className="badge status-succeeded">current</span>
              )}
            </span>
            {canRestore && version.version !== content.currentVersion && (
              <button
                type="button"
                className="button link"
                disabled={restore.isPending}
                onClick={() => {
                  restore.mutate(version.version);
                }}
              >
                Restore v{version.version}
              </button>
            )}
          </li>
        ))}
      </ol>
      {restore.isError && (
        <ErrorNotice error={restore.error} title="The version was not restored" />
      )}
      {items.length > 1 && a && b && (
        <>
          <h3>Compare</h3>
          <div className="toolbar">
            <VersionSelect label="From" items={items} value={a.version} onChange={setLeft} />
            <VersionSelect label="To" items={items} value={b.version} onChange={setRight} />
          </div>
          <VersionCompare platform={content.platform} from={a} to={b} />
        </>
      )}
    </section>
  );
}

function VersionSelect(props: {
  label: string;
  items: ContentVersion[];
  value: number;
  onChange: (version: number) => void;
}) {
  return (
    <Field label={props.label}>
      {({ id }) => (
        <select
          id={id}
          value={props.value}
          onChange={(event) => {
            props.onChange(Number(event.target.value));
          }}
        >
          {props.items.map((version) => (
            <option key={version.version} value={version.version}>
              v{version.version}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function VersionCompare(props: { platform: string; from: ContentVersion; to: ContentVersion }) {
  return (
    <div className="compare" data-testid="version-compare">
      {fieldsOf(props.platform).map((field) => {
        const before = fieldText(props.from.body, field.key);
        const after = fieldText(props.to.body, field.key);
        const changed = before !== after;
        return (
          <div key={field.key} className={`compare-row${changed ? ' changed' : ''}`}>
            <h4>
              {field.label} {changed ? <span className="badge status-running">changed</span> : null}
            </h4>
            <div className="compare-columns">
              <pre aria-label={`${field.label} in v${props.from.version}`}>{before}</pre>
              <pre aria-label={`${field.label} in v${props.to.version}`}>{after}</pre>
            </div>
          </div>
        );
      })}
    </div>
  );
}
