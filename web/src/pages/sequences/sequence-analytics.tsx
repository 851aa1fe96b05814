// A sequence's results: enrolled, sent, delivered, opened, clicked, unsubscribed, bounced and
// failed, with rates, for the whole sequence and each step (with why a step's emails fail), and
// sends and engagement per day (UTC).
import './sequences.css';

import { useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, PageHeader, PeriodField, Skeleton } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import { type SequenceAnalytics, useSequence, useSequenceAnalytics } from './sequence-queries';

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const percent = (rate: number) => `${(rate * 100).toFixed(rate > 0 && rate < 0.1 ? 1 : 0)}%`;

/** A count with its rate beside it, in smaller type. */
function withRate(count: number, rate: number) {
  return (
    <>
      {count.toLocaleString()} <span className="muted small">{percent(rate)}</span>
    </>
  );
}

/** One point per UTC day of the period, so quiet days show as zero rather than as a gap. */
export function fillSeries(series: SequenceAnalytics['series'], days: number, now = new Date()) {
  const byDay = new Map(series.map((point) => [point.date, point]));
  const points = [];
  for (let back = days - 1; back >= 0; back -= 1) {
    const date = isoDay(new Date(now.getTime() - back * 86_400_000));
    const point = byDay.get(date);
    points.push({
      day: date.slice(5),
      sent: point?.sent ?? 0,
      opened: point?.opened ?? 0,
      clicked: point?.clicked ?? 0,
      unsubscribed: point?.unsubscribed ?? 0,
    });
  }
  return points;
}

export function SequenceAnalyticsPage() {
  const business = useScopedBusiness();
  const { sequenceId = '' } = useParams();
  const [days, setDays] = useState<number>(30);
  const sequence = useSequence(business.id, sequenceId);
  const analytics = useSequenceAnalytics(business.id, sequenceId, days);
  const name = sequence.data?.name ?? 'Sequence';
  useDocumentTitle(`${name} analytics`, business.name);

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb small">
        <Link to={`/businesses/${business.id}/sequences`}>Sequences</Link> /{' '}
        <Link to={`/businesses/${business.id}/sequences/${sequenceId}`}>{name}</Link> /
      </nav>
      <PageHeader
        title={`${name}: analytics`}
        description="Rates are out of delivered emails. Days are UTC."
      />
      <div className="toolbar">
        <PeriodField days={days} onChange={setDays} />
      </div>
      {analytics.isPending && <Skeleton lines={6} height={36} label="Loading analytics…" />}
      {analytics.isError && (
        <ErrorNotice
          error={analytics.error}
          title="Could not load the analytics"
          onRetry={() => void analytics.refetch()}
        />
      )}
      {analytics.isSuccess && <Report analytics={analytics.data} days={days} />}
    </>
  );
}

function Report({ analytics, days }: { analytics: SequenceAnalytics; days: number }) {
  const { totals } = analytics;
  const stats = [
    { label: 'Enrolled', value: analytics.enrolled, note: `${String(analytics.active)} active` },
    { label: 'Sent', value: totals.sent, note: `${String(totals.delivered)} delivered` },
    { label: 'Opened', value: totals.opened, note: percent(totals.openRate) },
    { label: 'Clicked', value: totals.clicked, note: percent(totals.clickRate) },
    { label: 'Unsubscribed', value: totals.unsubscribed, note: percent(totals.unsubscribeRate) },
    { label: 'Bounced', value: totals.bounced, note: percent(totals.bounceRate) },
    ...(totals.complained > 0
      ? [{ label: 'Marked as spam', value: totals.complained, note: 'feedback-loop reports' }]
      : []),
    ...(totals.failed > 0
      ? [{ label: 'Failed', value: totals.failed, note: 'not sent after retries' }]
      : []),
  ];
  return (
    <div className="stack">
      <section className="stats" aria-label="Totals" data-testid="sequence-totals">
        {stats.map((stat) => (
          <div key={stat.label} className="card stat">
            <div className="muted small">{stat.label}</div>
            <div className="value">{stat.value.toLocaleString()}</div>
            <div className="muted small">{stat.note}</div>
          </div>
        ))}
      </section>
      {totals.sent === 0 && analytics.enrolled === 0 ? (
        <EmptyState title="Nothing sent yet" testId="analytics-empty">
          <p>Enroll subscribers and activate the sequence; results appear as emails go out.</p>
        </EmptyState>
      ) : (
        <section className="card" aria-labelledby="series-title">
          <h2 id="series-title">Per day</h2>
          <div className="chart" data-testid="sequence-chart">
            <ResponsiveContainer>
              <LineChart data={fillSeries(analytics.series, days)} margin={{ top: 8, right: 8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="day" tickLine={false} />
                <YAxis allowDecimals={false} width={40} />
                <Tooltip />
                <Legend />
                {(
                  [
                    ['sent', 'Sent', '#4f46e5'],
                    ['opened', 'Opened', '#067647'],
                    ['clicked', 'Clicked', '#b54708'],
                    ['unsubscribed', 'Unsubscribed', '#b42318'],
                  ] as const
                ).map(([key, label, colour]) => (
                  <Line
                    key={key}
                    dataKey={key}
                    name={label}
                    stroke={colour}
                    dot={false}
                    type="linear"
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        </section>
      )}
      <section aria-labelledby="per-step-title">
        <h2 id="per-step-title">Per step</h2>
        <DataTable
          label="Per step"
          rows={analytics.steps}
          rowKey={(step) => step.stepId}
          rowTestId="step-analytics-row"
          columns={[
            {
              header: 'Step',
              cell: (step) => (
                <>
                  {step.position + 1}. {step.subject}
                  {step.lastError && (
                    <p className="field-error" data-testid="step-last-error">
                      Failing: {step.lastError}
                    </p>
                  )}
                </>
              ),
            },
            { header: 'Sent', className: 'number', cell: (step) => step.sent.toLocaleString() },
            {
              header: 'Delivered',
              className: 'number',
              cell: (step) => step.delivered.toLocaleString(),
            },
            {
              header: 'Opened',
              className: 'number',
              cell: (step) => withRate(step.opened, step.openRate),
            },
            {
              header: 'Clicked',
              className: 'number',
              cell: (step) => withRate(step.clicked, step.clickRate),
            },
            {
              header: 'Unsub.',
              className: 'number',
              cell: (step) => withRate(step.unsubscribed, step.unsubscribeRate),
            },
            {
              header: 'Bounced',
              className: 'number',
              cell: (step) => withRate(step.bounced, step.bounceRate),
            },
            { header: 'Failed', className: 'number', cell: (step) => step.failed.toLocaleString() },
          ]}
        />
      </section>
    </div>
  );
}
