// The business's asynchronous jobs (every AI generation): what ran, what is running, what
// failed and why, and what each worked on or made — the campaign, piece or sequence, named and
// linked. The list refreshes itself while anything is still running; a job whose worker was lost
// says so ("Worker lost; retrying") until another worker has taken it over.
import { Link } from 'react-router';

import { type Job, useJobs } from '../api/queries';
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
import { taskLabel } from '../format/labels';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useScopedBusiness } from './business-scope';

/** Where a job's work is seen: its campaign's tab, its piece, its sequence, or the page of its kind. */
function JobSubjectLink({ job, base }: { job: Job; base: string }) {
  const subject = job.subject;
  if (subject) {
    const to =
      subject.type === 'content'
        ? `${base}/content/${subject.id}`
        : subject.type === 'sequence'
          ? `${base}/sequences/${subject.id}`
          : `${base}/campaigns/${subject.id}${
              job.kind === 'ai.campaign-strategy'
                ? '/strategy'
                : job.kind === 'ai.campaign-insights'
                  ? '/analytics'
                  : ''
            }`;
    const what = { campaign: 'Campaign', content: 'Piece', sequence: 'Sequence' }[subject.type];
    return (
      <div className="small" data-testid="job-subject">
        {what}:{' '}
        {subject.name === null ? (
          <span className="muted">deleted since</span>
        ) : (
          <Link to={to}>{subject.name}</Link>
        )}
      </div>
    );
  }
  if (job.kind === 'ai.brand-voice') {
    return (
      <div className="small" data-testid="job-subject">
        <Link to={`${base}/profile`}>Brand profile</Link>
      </div>
    );
  }
  if (job.kind === 'subscribers.import') {
    return (
      <div className="small" data-testid="job-subject">
        <Link to={`${base}/subscribers`}>Subscribers</Link>
      </div>
    );
  }
  return null;
}

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
                  {taskLabel(job.kind)}
                  <JobSubjectLink job={job} base={`/businesses/${business.id}`} />
                  <div className="small">
                    <Link to={`/businesses/${business.id}/jobs/${job.id}`}>Model calls</Link>
                  </div>
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
                  <ProgressBar value={job.progress} label={`Progress of ${taskLabel(job.kind)}`} />
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
