// One job's model calls, so a bad result can be traced: each attempt with its task, model,
// outcome, tokens and time, and the kept prompt and response behind a button (the same view as
// the decision log's).
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';

import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import { LoadFailure } from '../components/error-notice';
import { EmptyState, formatDateTime, PageHeader, Skeleton, StatusBadge } from '../components/ui';
import { taskLabel } from '../format/labels';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useScopedBusiness } from './business-scope';
import { ModelCall } from './decisions/model-call';

function useJobWithCalls(businessId: string, jobId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['job-calls', businessId, jobId],
    queryFn: async ({ signal }) => {
      const [job, calls] = await Promise.all([
        unwrap(api.GET('/api/v1/jobs/{jobId}', { params: { path: { jobId } }, signal })),
        unwrap(
          api.GET('/api/v1/businesses/{businessId}/jobs/{jobId}/ai-calls', {
            params: { path: { businessId, jobId } },
            signal,
          }),
        ),
      ]);
      return { job, calls: calls.items };
    },
  });
}

export function JobCallsPage() {
  const business = useScopedBusiness();
  const { jobId = '' } = useParams();
  const base = `/businesses/${business.id}`;
  const loaded = useJobWithCalls(business.id, jobId);
  const name = loaded.data ? taskLabel(loaded.data.job.kind) : 'Job';
  useDocumentTitle(`${name} · model calls`, business.name);

  return (
    <>
      <PageHeader
        title={`${name}: model calls`}
        description="Every call to the model this job made, retries included. A transcript shows what was sent and answered (kept for 30 days by default)."
        actions={
          <Link className="button secondary" to={`${base}/jobs`}>
            All jobs
          </Link>
        }
      />
      {loaded.isPending && <Skeleton lines={4} height={28} label="Loading the job…" />}
      {loaded.isError && (
        <LoadFailure
          error={loaded.error}
          notFoundTitle="Job not found"
          back={{ label: 'See the jobs', to: `${base}/jobs` }}
          errorTitle="Could not load the job"
          onRetry={() => void loaded.refetch()}
        >
          <p>It may belong to another business, or the link is mistyped.</p>
        </LoadFailure>
      )}
      {loaded.isSuccess && (
        <div className="stack" data-testid="job-calls">
          <p className="muted small">
            <StatusBadge status={loaded.data.job.status} /> · started{' '}
            {formatDateTime(loaded.data.job.startedAt ?? loaded.data.job.createdAt)}
          </p>
          {loaded.data.calls.length === 0 ? (
            <EmptyState title="No model calls" testId="job-calls-empty">
              <p>This job did its work without asking a model.</p>
            </EmptyState>
          ) : (
            <section className="card" aria-label="Model calls">
              <ol className="decision-calls">
                {loaded.data.calls.map((call) => (
                  <ModelCall key={call.id} call={call} />
                ))}
              </ol>
            </section>
          )}
        </div>
      )}
    </>
  );
}
