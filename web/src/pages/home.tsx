// A business's home: the landing page when a business is opened. First the next steps of a new
// business (brand profile, first campaign, first sequence — each ticked from real data), then the
// pieces scheduled this week, the latest emails sent, this month's AI spend, and anything that
// failed (jobs, publishing), each linking to where it is fixed. Every section loads on its own,
// from the endpoints the other pages use, so one slow or failing list does not hide the rest.
import { useQueries, useQuery, type UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Business } from '../api/queries';
import { ErrorNotice } from '../components/error-notice';
import { formatDateTime, PageHeader, Skeleton } from '../components/ui';
import { taskLabel } from '../format/labels';
import { formatUsd } from '../format/money';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useScopedBusiness } from './business-scope';
import { platformLabel } from './campaigns/queries';

const homeKey = (businessId: string, part: string, ...rest: string[]) =>
  ['business', businessId, 'home', part, ...rest] as const;

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** The brand profile counts as done once it says who it is for and how it sounds. */
export function profileDone(business: Business): boolean {
  return business.audience.trim() !== '' && business.brandVoice.tone.trim() !== '';
}

export function HomePage() {
  const business = useScopedBusiness();
  useDocumentTitle('Home', business.name);
  const api = useApi();
  const path = { businessId: business.id };
  const base = `/businesses/${business.id}`;

  const campaigns = useQuery({
    queryKey: homeKey(business.id, 'campaigns'),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/campaigns', {
          params: { path, query: { limit: 1 } },
          signal,
        }),
      ),
  });
  const sequences = useQuery({
    queryKey: homeKey(business.id, 'sequences'),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/sequences', {
          params: { path, query: { limit: 20 } },
          signal,
        }),
      ),
  });
  // Failed deliveries are counted per sequence: ask the ones that have been sending.
  const sending = (sequences.data?.items ?? []).filter((sequence) => sequence.status !== 'draft');
  const deliveries = useQueries({
    queries: sending.slice(0, 10).map((sequence) => ({
      queryKey: homeKey(business.id, 'sequence-analytics', sequence.id),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        unwrap(
          api.GET('/api/v1/businesses/{businessId}/sequences/{sequenceId}/analytics', {
            params: {
              path: { businessId: business.id, sequenceId: sequence.id },
              query: { days: 30 },
            },
            signal,
          }),
        ),
    })),
  });
  const failedDeliveries = deliveries.flatMap((query, index) => {
    const sequence = sending[index];
    if (!sequence || !query.data) return [];
    return query.data.steps.filter((step) => step.failed > 0).map((step) => ({ sequence, step }));
  });
  const scheduled = useQuery({
    queryKey: homeKey(business.id, 'scheduled'),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/contents', {
          params: { path, query: { status: 'scheduled', limit: 100 } },
          signal,
        }),
      ),
  });
  const outbox = useQuery({
    queryKey: homeKey(business.id, 'outbox'),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/outbox', {
          params: { path, query: { limit: 5 } },
          signal,
        }),
      ),
  });
  const now = new Date();
  const monthStart = isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)));
  const today = isoDay(now);
  const usage = useQuery({
    queryKey: homeKey(business.id, 'usage', monthStart, today),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/ai/usage', {
          params: { path, query: { from: monthStart, to: today } },
          signal,
        }),
      ),
  });
  const jobs = useQuery({
    queryKey: homeKey(business.id, 'jobs'),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/jobs', {
          params: { path, query: { limit: 50 } },
          signal,
        }),
      ),
  });
  const failedPieces = useQuery({
    queryKey: homeKey(business.id, 'failed-pieces'),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/contents', {
          params: { path, query: { status: 'failed', limit: 20 } },
          signal,
        }),
      ),
  });

  const weekEnd = Date.now() + 7 * 86_400_000;
  const thisWeek = (scheduled.data?.items ?? [])
    .filter((piece) => piece.publishAt && Date.parse(piece.publishAt) <= weekEnd)
    .sort((a, b) => Date.parse(a.publishAt ?? '') - Date.parse(b.publishAt ?? ''));
  const failedJobs = (jobs.data?.items ?? []).filter((job) => job.status === 'failed');

  return (
    <>
      <PageHeader
        title="Home"
        description={`What is happening at ${business.name} this week, and what to do next.`}
      />

      <Section title="Next steps" query={[campaigns, sequences]} what="your next steps">
        <ol className="home-steps" data-testid="next-steps">
          <Step done={profileDone(business)} to={`${base}/profile`} testId="step-profile">
            Complete the brand profile: who it is for and how it sounds
          </Step>
          <Step
            done={(campaigns.data?.items.length ?? 0) > 0}
            to={`${base}/campaigns`}
            testId="step-campaign"
          >
            Plan a first campaign
          </Step>
          <Step
            done={(sequences.data?.items.length ?? 0) > 0}
            to={`${base}/sequences`}
            testId="step-sequence"
          >
            Write a first email sequence
          </Step>
        </ol>
      </Section>

      <Section title="Scheduled this week" query={[scheduled]} what="the scheduled pieces">
        {thisWeek.length === 0 ? (
          <p className="muted" data-testid="week-empty">
            Nothing is scheduled for the next seven days.{' '}
            <Link to={`${base}/campaigns`}>Schedule a piece from a campaign</Link>.
          </p>
        ) : (
          <ul className="home-list">
            {thisWeek.map((piece) => (
              <li key={piece.id} data-testid="week-piece">
                <Link to={`${base}/content/${piece.id}`}>{piece.topic}</Link>
                <div className="muted small">
                  {platformLabel(piece.platform)} · {formatDateTime(piece.publishAt)}
                </div>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title="Recent emails sent" query={[outbox]} what="the recent emails">
        {(outbox.data?.items.length ?? 0) === 0 ? (
          <p className="muted" data-testid="sends-empty">
            {outbox.data?.enabled === false
              ? 'Emails go to your mail server, so they are not listed here.'
              : 'No emails sent yet. Sequences send them once subscribers are enrolled.'}
          </p>
        ) : (
          <ul className="home-list">
            {outbox.data?.items.map((entry) => (
              <li key={entry.id} data-testid="recent-send">
                <span className="home-wrap">{entry.subject}</span>
                <div className="muted small home-wrap">
                  To {entry.to} · {formatDateTime(entry.createdAt)}
                </div>
              </li>
            ))}
          </ul>
        )}
        <p className="small">
          <Link to={`${base}/outbox`}>See every email sent</Link>
        </p>
      </Section>

      <Section title="AI spend this month" query={[usage]} what="the AI spend">
        <p data-testid="month-spend">
          <strong>{formatUsd(usage.data?.totals.costUsd ?? 0)}</strong>{' '}
          <span className="muted">(US dollars) since {monthStart}, UTC</span>
        </p>
        <p className="small">
          <Link to={`${base}/usage`}>See the cost of each AI task</Link>
        </p>
      </Section>

      <Section
        title="Needs attention"
        query={[jobs, failedPieces, sequences, ...deliveries]}
        what="what failed"
      >
        {failedJobs.length === 0 &&
        failedDeliveries.length === 0 &&
        (failedPieces.data?.items.length ?? 0) === 0 ? (
          <p className="muted" data-testid="failures-empty">
            Nothing failed recently.
          </p>
        ) : (
          <ul className="home-list">
            {failedPieces.data?.items.map((piece) => (
              <li key={piece.id} data-testid="failure">
                Publishing failed: <Link to={`${base}/content/${piece.id}`}>{piece.topic}</Link>
                <div className="muted small">
                  {platformLabel(piece.platform)} · {piece.publishAttempts} attempt
                  {piece.publishAttempts === 1 ? '' : 's'}
                </div>
              </li>
            ))}
            {failedDeliveries.map(({ sequence, step }) => (
              <li key={step.stepId} data-testid="failure">
                Emails not sent:{' '}
                <Link to={`${base}/sequences/${sequence.id}/analytics`}>
                  {sequence.name}, step {step.position + 1}
                </Link>
                <div className="muted small home-wrap">
                  {step.failed} in the last 30 days{step.lastError ? ` · ${step.lastError}` : ''}
                </div>
              </li>
            ))}
            {failedJobs.map((job) => (
              <li key={job.id} data-testid="failure">
                <Link to={`${base}/jobs`}>{taskLabel(job.kind)}</Link> failed
                {job.error && <div className="muted small home-wrap">{job.error.message}</div>}
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

function Section(props: {
  title: string;
  query: UseQueryResult[];
  what: string;
  children: ReactNode;
}) {
  const failed = props.query.find((query) => query.isError);
  return (
    <section className="card home-section" aria-label={props.title}>
      <h2>{props.title}</h2>
      {failed ? (
        <ErrorNotice
          error={failed.error}
          title={`Could not load ${props.what}`}
          onRetry={() => {
            for (const query of props.query) if (query.isError) void query.refetch();
          }}
        />
      ) : props.query.some((query) => query.isPending) ? (
        <Skeleton lines={2} label={`Loading ${props.what}…`} />
      ) : (
        props.children
      )}
    </section>
  );
}

function Step(props: { done: boolean; to: string; testId: string; children: ReactNode }) {
  return (
    <li data-testid={props.testId} data-done={props.done}>
      <span aria-hidden="true" className={props.done ? 'home-tick done' : 'home-tick'}>
        {props.done ? '✓' : '○'}
      </span>{' '}
      {props.done ? (
        <span>
          {props.children} <span className="visually-hidden">(done)</span>
        </span>
      ) : (
        <Link to={props.to}>{props.children}</Link>
      )}
    </li>
  );
}
