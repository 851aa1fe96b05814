// The business's asynchronous jobs (every AI generation): what ran, what is running, what
// failed and why. The list refreshes itself while anything is still running; a job whose worker
// was lost says so ("Worker lost; retrying") until another worker has taken it over.
import { Link } from 'react-router';

import { useJobs } from '../api/queries';
import { DataTable } from '../components/data-table';
import { ErrorNotice } from '../components/error-notice';
import {
  EmptyState,
  formatDateTime,
  PageHeader,
  ProgressBar,
  Skeleton,
  StatusBadge,
} from '../components/ui';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useScopedBusiness } from './business-scope';

const KIND_LABELS: Record<string, string> = {
  'ai.brand-voice': 'Brand voice suggestion',
  'ai.campaign-strategy': 'Campaign strategy',
  'ai.content-piece': 'Content generation',
  'ai.campaign-insights': 'Campaign insight summary',
  'ai.sequence-draft': 'Email sequence draft',
  'subscribers.import': 'Subscriber CSV import',
};

export function JobsPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Jobs', business.name);
  const jobs = useJobs(business.id, { live: true });
  const items = jobs.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Jobs"
        description="AI generations and other long work run in the background; they continue if you close the page."
      />
      {jobs.isPending && <Skeleton lines={5} height={32} label="Loading jobs…" />}
      {jobs.isError && (
        <ErrorNotice
          error={jobs.error}
          title="Could not load the jobs"
          onRetry={() => void jobs.refetch()}
        />
      )}
      {jobs.isSuccess && items.length === 0 && (
        <EmptyState
          title="No jobs yet"
          testId="jobs-empty"
          action={{ label: 'Open the brand profile', to: `/businesses/${business.id}/profile` }}
        >
          <p>
            Jobs appear here when Herald works in the background, for example when you ask it to
            suggest a brand voice.
          </p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <DataTable
          label="Jobs"
          rows={items}
          rowKey={(job) => job.id}
          rowTestId="job-row"
          columns={[
            {
              header: 'Job',
              cell: (job) => (
                <>
                  {KIND_LABELS[job.kind] ?? job.kind}
                  {job.error && <div className="field-error small">{job.error.message}</div>}
                </>
              ),
            },
            { header: 'Status', cell: (job) => <StatusBadge status={job.status} /> },
            {
              header: 'Progress',
              cellClassName: 'progress-cell',
              cell: (job) => (
                <>
                  <ProgressBar value={job.progress} label={`Progress of ${job.kind}`} />
                  <span
                    className={
                      job.progressMessage?.startsWith('Worker lost')
                        ? 'small worker-lost'
                        : 'muted small'
                    }
                    data-testid="job-progress-message"
                  >
                    {job.progressMessage ?? `${job.progress}%`}
                  </span>
                </>
              ),
            },
            { header: 'Started', cell: (job) => formatDateTime(job.startedAt ?? job.createdAt) },
            { header: 'Finished', cell: (job) => formatDateTime(job.finishedAt) },
          ]}
        />
      )}
      {items.some((job) => job.kind === 'ai.brand-voice') && (
        <p className="muted small">
          Brand voice suggestions are reviewed on the{' '}
          <Link to={`/businesses/${business.id}/profile`}>brand profile</Link>.
        </p>
      )}
    </>
  );
}
