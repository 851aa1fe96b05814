// A run's narrative: Herald (or the configured model) writes a headline, a paragraph or two and
// the top actions from the run's figures, as a background job. Every number in it was checked
// against those figures before it was accepted, so the page says so.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { isFinished, type Job, keys, useJobs } from '../../api/queries';
import { ErrorNotice } from '../../components/error-notice';
import { JobProgress, useTrackedJob } from '../../components/job-progress';
import { insightAuthor } from '../campaigns/campaign-insights';

export const RUN_INSIGHT_JOB = 'intelligence.insight';

interface RunNarrative {
  headline: string;
  narrative: string;
  actions: { title: string; why: string }[];
}

/** The narrative in a finished insight job's result for `runId`, if it has the documented shape. */
function narrativeOf(job: Pick<Job, 'result'> | null | undefined, runId: string) {
  const result = job?.result as { runId?: unknown; insight?: Partial<RunNarrative> } | null;
  const insight = result?.insight;
  if (result?.runId !== runId || typeof insight?.headline !== 'string') return null;
  return {
    headline: insight.headline,
    narrative: typeof insight.narrative === 'string' ? insight.narrative : '',
    actions: Array.isArray(insight.actions) ? insight.actions : [],
  };
}

export function RunInsight(props: { businessId: string; runId: string; mayWrite: boolean }) {
  const { businessId, runId } = props;
  const api = useApi();
  const queryClient = useQueryClient();
  const tracked = useTrackedJob(`herald.job.run-insight.${runId}`);
  const jobs = useJobs(businessId);
  const start = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/intelligence/runs/{runId}/insight', {
          params: { path: { businessId, runId } },
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: ({ job }) => {
      tracked.follow(job.id);
    },
  });
  const current = tracked.job;
  const running = start.isPending || (current !== null && !isFinished(current));
  const listed = jobs.data?.items.find(
    (job) =>
      job.kind === RUN_INSIGHT_JOB &&
      job.status === 'succeeded' &&
      narrativeOf(job, runId) !== null,
  );
  const latest = narrativeOf(current, runId) ? current : listed;
  const insight = narrativeOf(latest, runId);
  // A summary just finished: the job list (where it is found after a reload) must show it.
  const finishedId = current && isFinished(current) ? current.id : null;
  useEffect(() => {
    if (finishedId) void queryClient.invalidateQueries({ queryKey: keys.jobs(businessId) });
  }, [finishedId, queryClient, businessId]);

  return (
    <section className="card" aria-labelledby="intel-insight-title" data-testid="intel-insight">
      <h2 id="intel-insight-title">What it means</h2>
      <p className="muted small">
        A short reading of this run and what to do next. Every number in it is checked against the
        run’s figures; a text with a number that is not one of them is refused.
      </p>
      {start.isError && <ErrorNotice error={start.error} title="Could not start the summary" />}
      <JobProgress
        job={current}
        error={tracked.error}
        label="Writing the summary"
        failedTitle="The summary could not be written"
      />
      {insight && latest && (
        <article className="stack">
          <h3>{insight.headline}</h3>
          {insight.narrative.split(/\n\s*\n/).map((paragraph) => (
            <p key={paragraph}>{paragraph}</p>
          ))}
          {insight.actions.length > 0 && (
            <ol>
              {insight.actions.map((action) => (
                <li key={action.title}>
                  <strong>{action.title}</strong> — {action.why}
                </li>
              ))}
            </ol>
          )}
          <p className="muted small">{insightAuthor(latest)}</p>
        </article>
      )}
      {props.mayWrite && (
        <button
          type="button"
          className="button"
          disabled={running}
          onClick={() => {
            start.mutate();
          }}
        >
          {running ? 'Writing…' : insight ? 'Write it again' : 'Explain this run'}
        </button>
      )}
    </section>
  );
}
