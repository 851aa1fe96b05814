// The Quality section of the AI usage page: per task and model, the thumbs members gave its
// output, and for content, how many AI drafts were approved as written and how many characters
// reviewers changed in the others (GET …/ai/quality over the page's period).
import { useQuery } from '@tanstack/react-query';

import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import { keys } from '../api/queries';
import type { components } from '../api/schema';
import { DataTable } from '../components/data-table';
import { ErrorNotice } from '../components/error-notice';
import { Skeleton } from '../components/ui';
import { taskLabel } from '../format/labels';

type QualityRow = components['schemas']['AiQuality']['items'][number];

export const qualityKey = (businessId: string, days: number) =>
  [...keys.business(businessId), 'ai-quality', days] as const;

const dash = '—';
const count = (value: number) => value.toLocaleString();

/** "67 %" of the approved pieces; a dash when none was approved. */
export function formatShare(share: number | null): string {
  return share === null ? dash : `${Math.round(share * 100)} %`;
}

/** Characters changed; a dash when no piece was approved. */
export function formatDistance(distance: number | null): string {
  return distance === null ? dash : `${distance.toLocaleString()} chars`;
}

/** The model as a reader names it; "built-in template" for Herald's offline writer. */
function modelLabel(row: QualityRow): string {
  if (row.provider === 'builtin') return 'Built-in template';
  return row.model ?? row.provider ?? 'Unknown model';
}

export function QualitySection({ businessId, days }: { businessId: string; days: number }) {
  const api = useApi();
  const quality = useQuery({
    queryKey: qualityKey(businessId, days),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/ai/quality', {
          params: { path: { businessId }, query: { days } },
          signal,
        }),
      ),
  });

  return (
    <section className="card" aria-labelledby="quality-title" data-testid="usage-quality">
      <h2 id="quality-title">Quality</h2>
      <p className="muted small">
        Thumbs up and down on agent replies and AI drafts, and for content: how many AI drafts were
        approved exactly as written, and how many characters reviewers changed before approving.
      </p>
      {quality.isPending && <Skeleton lines={3} height={28} label="Loading quality figures…" />}
      {quality.isError && (
        <ErrorNotice
          error={quality.error}
          title="Could not load the quality figures"
          onRetry={() => void quality.refetch()}
        />
      )}
      {quality.isSuccess && quality.data.items.length === 0 && (
        <p className="muted" data-testid="quality-empty">
          No ratings and no approved AI drafts in this period. Rate a reply or a draft with 👍 or
          👎, or approve a generated piece, and its figures appear here.
        </p>
      )}
      {quality.isSuccess && quality.data.items.length > 0 && (
        <DataTable
          label="Quality by task and model"
          rows={quality.data.items}
          rowTestId="quality-row"
          rowKey={(row) => JSON.stringify([row.task, row.provider, row.model, row.promptVersion])}
          columns={[
            { header: 'Task', cell: (row) => taskLabel(row.task) },
            {
              header: 'Model',
              cell: (row) => (
                <>
                  {modelLabel(row)}
                  {row.promptVersion && (
                    <span className="muted small"> · prompt {row.promptVersion}</span>
                  )}
                </>
              ),
            },
            { header: '👍', className: 'number', cell: (row) => count(row.thumbsUp) },
            { header: '👎', className: 'number', cell: (row) => count(row.thumbsDown) },
            { header: 'Approved', className: 'number', cell: (row) => count(row.approved) },
            {
              header: 'Approved as written',
              className: 'number',
              cell: (row) => formatShare(row.approvedUneditedShare),
            },
            {
              header: 'Median edit',
              className: 'number',
              cell: (row) => formatDistance(row.medianEditDistance),
            },
          ]}
        />
      )}
    </section>
  );
}
