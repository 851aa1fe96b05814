// The campaign's insight summary: Herald reads the figures and writes what worked, what did not
// and what to try next, as a background job (followed with its progress, picked up again after a
// reload). The newest summary is shown with what wrote it: the built-in template or an AI model.
import './analytics-entry.css';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { isFinished, type Job, keys, useJobs } from '../../api/queries';
import { ErrorNotice } from '../../components/error-notice';
import { JobProgress, useTrackedJob } from '../../components/job-progress';
import { formatDateTime, Skeleton } from '../../components/ui';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import type { Campaign } from './queries';

export const INSIGHTS_JOB = 'ai.campaign-insights';

interface Insight {
  summary: string;
  highlights: string[];
  recommendations: string[];
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];

/** The insight in a finished job's result, if it has the documented shape. */
export function insightOf(job: Pick<Job, 'result'> | null | undefined): Insight | null {
  const insight = job?.result?.insight as Record<string, unknown> | undefined;
  if (!insight || typeof insight.summary !== 'string') return null;
  return {
    summary: insight.summary,
    highlights: strings(insight.highlights),
    recommendations: strings(insight.recommendations),
  };
}

/** What wrote the summary, from the job's `generatedBy`. */
export function insightAuthor(job: Pick<Job, 'result'>): string {
  const made = job.result?.generatedBy;
  const last = (Array.isArray(made) ? made.at(-1) : undefined) as
    { provider?: unknown; model?: unknown } | undefined;
  if (!last || typeof last.provider !== 'string') return 'Written by Herald';
  return last.provider === 'builtin'
    ? 'Written by the built-in template (no AI model)'
    : `Written by the AI (${typeof last.model === 'string' ? last.model : last.provider})`;
}

export function CampaignInsights({ campaign }: { campaign: Campaign }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const tracked = useTrackedJob(`herald.job.insights.${campaign.id}`);
  const writes = can(useScopedBusiness(), 'content.write');
  const jobs = useJobs(campaign.businessId);
  const [retrying, setRetrying] = useState(false);
  const start = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/campaigns/{campaignId}/insights', {
          params: { path: { businessId: campaign.businessId, campaignId: campaign.id } },
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: ({ job }) => {
      tracked.follow(job.id);
      setRetrying(false);
    },
    onError: () => {
      setRetrying(false);
    },
  });
  const current = tracked.job;
  const running = current !== null && !isFinished(current);
  // The newest finished summary: the one just written, else the newest on the job list.
  const listed = jobs.data?.items.find(
    (job) =>
      job.kind === INSIGHTS_JOB &&
      job.status === 'succeeded' &&
      job.subject?.id === campaign.id &&
      insightOf(job) !== null,
  );
  const latest = current?.status === 'succeeded' && insightOf(current) ? current : listed;
  const insight = insightOf(latest);
  // A summary just finished: the job list (where it is found after a reload) must show it.
  const finishedId = current && isFinished(current) ? current.id : null;
  useEffect(() => {
    if (finishedId)
      void queryClient.invalidateQueries({ queryKey: keys.jobs(campaign.businessId) });
  }, [finishedId, queryClient, campaign.businessId]);

  return (
    <section
      className="card insight"
      aria-labelledby="insight-title"
      data-testid="campaign-insight"
    >
      <h2 id="insight-title">Insight summary</h2>
      <p className="muted small">
        Herald reads this campaign’s figures and writes what worked, what did not and what to try
        next. It takes a minute or so; you can leave the page meanwhile.
      </p>
      {jobs.isPending && !current && <Skeleton lines={3} label="Looking for the last summary…" />}
      {jobs.isError && !insight && (
        <ErrorNotice
          error={jobs.error}
          title="Could not look for the last summary"
          onRetry={() => void jobs.refetch()}
        />
      )}
      <JobProgress
        job={current}
        error={tracked.error}
        label="Writing the insight summary"
        failedTitle="The summary could not be written"
        onRetry={() => {
          setRetrying(true);
          start.mutate();
        }}
      />
      {insight && latest && !running && (
        <div data-testid="insight-summary">
          <p className="small muted" data-testid="insight-author">
            {insightAuthor(latest)} · {formatDateTime(latest.finishedAt ?? latest.createdAt)}
          </p>
          <p>{insight.summary}</p>
          {insight.highlights.length > 0 && (
            <>
              <h3>What stood out</h3>
              <ul>
                {insight.highlights.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </>
          )}
          {insight.recommendations.length > 0 && (
            <>
              <h3>What to try next</h3>
              <ul>
                {insight.recommendations.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {jobs.isSuccess && !insight && !running && (
        <p className="muted" data-testid="insight-empty">
          No summary yet.
        </p>
      )}
      {start.isError && (
        <ErrorNotice error={start.error} title="The summary could not be started" />
      )}
      {!running && !retrying && writes && (
        <button
          type="button"
          className="button primary"
          disabled={start.isPending}
          onClick={() => {
            start.mutate();
          }}
        >
          {start.isPending ? 'Starting…' : insight ? 'Write a new summary' : 'Write a summary'}
        </button>
      )}
    </section>
  );
}
