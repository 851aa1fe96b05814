// Customer intelligence: run the models (a job, followed live), then read the latest run — the
// model card in plain words, RFM segment sizes, the CLV distribution, churn tiers and the revenue
// at stake, what changed since the run before, the churn-risk list with a CSV of every score —
// and open older runs from the history. Viewers read; editors and up run.
import './intelligence.css';

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';

import { isFinished } from '../../api/queries';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { JobProgress, useRunningJob } from '../../components/job-progress';
import {
  EmptyState,
  Field,
  formatDateTime,
  PageHeader,
  Skeleton,
  StatusBadge,
} from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import {
  formatCount,
  formatDay,
  formatDelta,
  formatMoney,
  formatParameter,
  formatPercent,
  SEGMENT_HINTS,
  SEGMENT_LABELS,
  SEGMENT_ORDER,
} from './intelligence-format';
import {
  INTELLIGENCE_RUN_JOB,
  intelligenceKeys,
  type IntelligenceRun,
  type ModelCard,
  type RunFigures,
  useAtRisk,
  useDownloadScores,
  useLatestRun,
  useRun,
  useRuns,
  useStartRun,
} from './intelligence-queries';
import { RunInsight } from './run-insight';

export function IntelligencePage() {
  const business = useScopedBusiness();
  useDocumentTitle('Intelligence', business.name);
  const mayRun = can(business, 'content.write');
  const [searchParams, setSearchParams] = useSearchParams();
  const openedId = searchParams.get('run');
  const latest = useLatestRun(business.id);
  const opened = useRun(business.id, openedId);
  const runs = useRuns(business.id);

  const run = openedId ? (opened.data ?? null) : (latest.data?.run ?? null);
  const loading = openedId ? opened.isPending : latest.isPending;
  const failed = openedId ? opened : latest;
  const noRunYet = !openedId && latest.isSuccess && latest.data.run === null;

  const openRun = useCallback(
    (runId: string | null) => {
      setSearchParams(runId ? { run: runId } : {});
    },
    [setSearchParams],
  );
  const showLatest = useCallback(() => {
    openRun(null);
  }, [openRun]);

  return (
    <>
      <PageHeader
        title="Intelligence"
        description="Who is about to leave, who is worth the most, and how that changed: RFM segments for every customer, and churn risk and lifetime value from the published BG/NBD and Gamma-Gamma models when there is enough order history."
      />
      {mayRun && <RunControls businessId={business.id} onFinished={showLatest} />}
      {loading && <Skeleton lines={6} height={40} label="Loading the latest run…" />}
      {failed.isError && (
        <ErrorNotice
          error={failed.error}
          title={openedId ? 'Could not load this run' : 'Could not load the latest run'}
          onRetry={() => void failed.refetch()}
        />
      )}
      {noRunYet && (
        <EmptyState title="No run yet" testId="intelligence-empty">
          <p>
            No run yet — run the models to score your customers. Every customer with an order gets
            an RFM segment; with enough history (the model card says how much) also a churn risk and
            a lifetime value.
          </p>
          {!mayRun && <p>Ask an editor, an admin or the owner to run them.</p>}
        </EmptyState>
      )}
      {openedId && run && (
        <p className="intel-opened">
          Showing the run as of <strong>{formatDay(run.asOf)}</strong>.{' '}
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              openRun(null);
            }}
          >
            Back to the latest run
          </button>
        </p>
      )}
      {run && <RunView businessId={business.id} run={run} mayWrite={mayRun} />}
      <RunHistory
        runs={runs.data?.items ?? []}
        loading={runs.isPending}
        error={runs.isError ? runs.error : null}
        onRetry={() => void runs.refetch()}
        shownId={run?.id ?? null}
        onOpen={openRun}
      />
    </>
  );
}

/** "Run now" with an optional as-of day, and the job's progress while it runs. */
function RunControls(props: { businessId: string; onFinished: () => void }) {
  const { businessId, onFinished } = props;
  const queryClient = useQueryClient();
  const start = useStartRun(businessId);
  const { job, error, follow } = useRunningJob(businessId, INTELLIGENCE_RUN_JOB);
  const [asOf, setAsOf] = useState('');
  const running = start.isPending || (job !== null && !isFinished(job));
  const result = job?.status === 'succeeded' ? (job.result as { status?: string } | null) : null;

  // A finished run changes the latest run, the history and the opened run: read them again, once
  // per job (the callback's identity changes with the page's address).
  const finishedId = job && isFinished(job) ? job.id : null;
  const handled = useRef<string | null>(null);
  useEffect(() => {
    if (!finishedId || handled.current === finishedId) return;
    handled.current = finishedId;
    void queryClient.invalidateQueries({ queryKey: intelligenceKeys.all(businessId) });
    onFinished();
  }, [finishedId, businessId, queryClient, onFinished]);

  return (
    <section className="card intel-run" aria-labelledby="intel-run-title">
      <h2 id="intel-run-title" className="visually-hidden">
        Run the models
      </h2>
      <form
        className="intel-run-form"
        onSubmit={(event) => {
          event.preventDefault();
          start.mutate(asOf || null, {
            onSuccess: ({ job: started }) => {
              follow(started.id);
            },
          });
        }}
      >
        <Field
          label="As of (optional)"
          hint="Only orders on or before this day count; leave empty for today."
        >
          {({ id, describedBy }) => (
            <input
              id={id}
              type="date"
              value={asOf}
              aria-describedby={describedBy}
              onChange={(event) => {
                setAsOf(event.target.value);
              }}
            />
          )}
        </Field>
        <button type="submit" className="button primary" disabled={running}>
          {running ? 'Running…' : 'Run now'}
        </button>
      </form>
      {start.isError && <ErrorNotice error={start.error} title="Could not start the run" />}
      <JobProgress job={job} error={error} label="Scoring customers" failedTitle="The run failed" />
      {result?.status === 'failed' && (
        <div className="notice error" role="alert">
          <strong className="notice-title">The run failed</strong>
          <p>The history below says why; the latest successful run is still shown.</p>
        </div>
      )}
    </section>
  );
}

function RunView(props: { businessId: string; run: IntelligenceRun; mayWrite: boolean }) {
  const { businessId, run } = props;
  if (run.status === 'running') {
    return (
      <p className="notice" role="status">
        This run is still running; its results appear here when it ends.
      </p>
    );
  }
  if (run.status === 'failed' || !run.model || !run.figures) {
    return (
      <div className="notice error" role="alert" data-testid="intel-run-failed">
        <strong className="notice-title">This run failed</strong>
        <p>{run.error ?? 'It ended without results.'}</p>
      </div>
    );
  }
  const { model, figures } = run;
  const currency = model.gammaGamma?.currency ?? 'USD';
  return (
    <div className="stack intel-run-view" data-testid="intel-run">
      <ModelCardSection model={model} />
      <RunInsight businessId={businessId} runId={run.id} mayWrite={props.mayWrite} />
      <SegmentsSection figures={figures} />
      {figures.changes && <ChangesSection changes={figures.changes} />}
      <ValueSection figures={figures} currency={currency} />
      <AtRiskSection businessId={businessId} run={run} currency={currency} />
    </div>
  );
}

function ModelCardSection({ model }: { model: ModelCard }) {
  const { counts, sufficiency, bgnbd, gammaGamma } = model;
  return (
    <section className="card" aria-labelledby="intel-model" data-testid="intel-model-card">
      <h2 id="intel-model">Model card</h2>
      <p>
        Fitted {formatDateTime(model.fittedAt)} on orders up to{' '}
        <strong>{formatDay(model.asOf)}</strong> ({model.timeZone}):{' '}
        <strong>{formatCount(counts.customers)}</strong> customers with an order, of whom{' '}
        <strong>{formatCount(counts.repeatCustomers)}</strong> bought again on another day, over{' '}
        <strong>{formatCount(counts.historyDays)}</strong> days of history.
      </p>
      {sufficiency.predictive ? (
        <p data-testid="intel-sufficiency">
          Enough data for the predictive models: churn risk and lifetime value over the next{' '}
          {formatCount(model.horizonDays)} days (discounted at{' '}
          {formatPercent(model.annualDiscountRate)} a year) are computed for every customer.
        </p>
      ) : (
        <div className="notice" data-testid="intel-sufficiency">
          <strong className="notice-title">Not enough data yet for churn risk and CLV:</strong>
          <ul>
            {sufficiency.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
          <p>
            RFM segments still work: every customer with an order has one. The predictions need at
            least {formatCount(sufficiency.thresholds.minCustomers)} customers,{' '}
            {formatCount(sufficiency.thresholds.minHistoryDays)} days of history and{' '}
            {formatCount(sufficiency.thresholds.minRepeatCustomers)} repeat buyers.
          </p>
        </div>
      )}
      {(bgnbd ?? gammaGamma) && (
        <details className="intel-details">
          <summary>Model parameters</summary>
          {bgnbd && (
            <>
              <h3>BG/NBD (purchases and churn; time in weeks)</h3>
              <dl className="intel-params" data-testid="intel-bgnbd">
                <Param name="r" value={formatParameter(bgnbd.r)} />
                <Param name="α" value={formatParameter(bgnbd.alpha)} />
                <Param name="a" value={formatParameter(bgnbd.a)} />
                <Param name="b" value={formatParameter(bgnbd.b)} />
                <Param name="Log-likelihood" value={bgnbd.logLikelihood.toFixed(1)} />
                <Param name="Converged" value={bgnbd.converged ? 'Yes' : 'No'} />
                <Param name="Customers" value={formatCount(bgnbd.customers)} />
              </dl>
            </>
          )}
          {gammaGamma && (
            <>
              <h3>Gamma-Gamma (order value, {gammaGamma.currency})</h3>
              <dl className="intel-params" data-testid="intel-gamma-gamma">
                <Param name="p" value={formatParameter(gammaGamma.p)} />
                <Param name="q" value={formatParameter(gammaGamma.q)} />
                <Param name="v" value={formatParameter(gammaGamma.v)} />
                <Param name="Log-likelihood" value={gammaGamma.logLikelihood.toFixed(1)} />
                <Param name="Converged" value={gammaGamma.converged ? 'Yes' : 'No'} />
                <Param name="Repeat customers" value={formatCount(gammaGamma.customers)} />
              </dl>
            </>
          )}
          <p className="muted small">
            Computed in {formatCount(Math.round(model.durationMs.total))} ms.
          </p>
        </details>
      )}
    </section>
  );
}

function Param(props: { name: string; value: string }) {
  return (
    <div>
      <dt>{props.name}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

function SegmentsSection({ figures }: { figures: RunFigures }) {
  const total = SEGMENT_ORDER.reduce(
    (sum, segment) => sum + (figures.rfmSegments[segment] ?? 0),
    0,
  );
  return (
    <section className="card" aria-labelledby="intel-segments">
      <h2 id="intel-segments">RFM segments</h2>
      <p className="muted">
        Every customer with an order, by how recently and how often they bought (scores 1–5 against
        the rest of your customers).
      </p>
      <ul className="intel-segments" data-testid="intel-segments">
        {SEGMENT_ORDER.map((segment) => {
          const size = figures.rfmSegments[segment] ?? 0;
          return (
            <li key={segment} data-testid="intel-segment">
              <span className="intel-segment-name">{SEGMENT_LABELS[segment]}</span>
              <span className="intel-segment-size">{formatCount(size)}</span>
              <span className="intel-bar" aria-hidden="true">
                <span style={{ width: `${total ? (size / total) * 100 : 0}%` }} />
              </span>
              <span className="muted small">{SEGMENT_HINTS[segment]}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function ChangesSection({ changes }: { changes: NonNullable<RunFigures['changes']> }) {
  const deltas = SEGMENT_ORDER.filter((segment) => (changes.rfmSegments[segment] ?? 0) !== 0);
  return (
    <section className="card" aria-labelledby="intel-changes" data-testid="intel-changes">
      <h2 id="intel-changes">What changed since the last run</h2>
      <p className="muted">
        Against the run as of {formatDay(changes.previousAsOf)}.{' '}
        {changes.newCustomers > 0 &&
          `${formatCount(changes.newCustomers)} new customers placed their first order.`}
      </p>
      {deltas.length === 0 && changes.movements.length === 0 ? (
        <p>No customer changed segment.</p>
      ) : (
        <div className="intel-changes">
          {changes.movements.length > 0 && (
            <ul data-testid="intel-movements">
              {changes.movements.slice(0, 8).map((move) => (
                <li key={`${move.from}-${move.to}`}>
                  <strong>{formatCount(move.customers)}</strong> moved from{' '}
                  {SEGMENT_LABELS[move.from]} to {SEGMENT_LABELS[move.to]}
                </li>
              ))}
            </ul>
          )}
          {deltas.length > 0 && (
            <ul className="intel-deltas" aria-label="Segment sizes against the last run">
              {deltas.map((segment) => {
                const delta = changes.rfmSegments[segment] ?? 0;
                return (
                  <li key={segment} className={delta > 0 ? 'up' : 'down'}>
                    {SEGMENT_LABELS[segment]} <strong>{formatDelta(delta)}</strong>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

function ValueSection({ figures, currency }: { figures: RunFigures; currency: string }) {
  const { clv, churnTiers, atRisk } = figures;
  if (!clv || !churnTiers) return null;
  const tallest = Math.max(1, ...clv.histogram.map((bucket) => bucket.customers));
  const percentiles = [
    ['10th', clv.percentiles.p10],
    ['25th', clv.percentiles.p25],
    ['Median', clv.percentiles.p50],
    ['75th', clv.percentiles.p75],
    ['90th', clv.percentiles.p90],
    ['99th', clv.percentiles.p99],
  ] as const;
  const last = clv.histogram.at(-1);
  return (
    <>
      <section className="card" aria-labelledby="intel-churn" data-testid="intel-churn">
        <h2 id="intel-churn">Churn risk</h2>
        <div className="stats">
          <Stat label="Low risk (under 30 %)" value={formatCount(churnTiers.low ?? 0)} />
          <Stat label="Medium risk (30–70 %)" value={formatCount(churnTiers.medium ?? 0)} />
          <Stat label="High risk (70 % and above)" value={formatCount(churnTiers.high ?? 0)} />
        </div>
        {atRisk && (
          <p data-testid="intel-at-risk-summary">
            <strong>{formatCount(atRisk.customers)}</strong> customers at high risk have spent{' '}
            <strong>{formatMoney(atRisk.historicalRevenueCents, currency)}</strong> so far; their
            predicted lifetime value at stake is{' '}
            <strong>{formatMoney(atRisk.clvCents, currency)}</strong>.
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="intel-clv" data-testid="intel-clv">
        <h2 id="intel-clv">Customer lifetime value</h2>
        <p className="muted">
          Predicted value of each customer’s purchases over the run’s horizon, discounted; all
          together {formatMoney(clv.totalCents, currency, true)}.
        </p>
        <figure className="intel-histogram-figure">
          <ol
            className="intel-histogram"
            data-testid="intel-histogram"
            aria-label="Customers by lifetime value"
          >
            {clv.histogram.map((bucket, index) => {
              const range =
                index === clv.histogram.length - 1
                  ? `${formatMoney(bucket.fromCents, currency, true)} and above`
                  : `${formatMoney(bucket.fromCents, currency, true)}–${formatMoney(bucket.toCents, currency, true)}`;
              return (
                <li
                  key={bucket.fromCents}
                  title={`${range}: ${formatCount(bucket.customers)} customers`}
                >
                  <span
                    className="intel-histogram-bar"
                    style={{ height: `${(bucket.customers / tallest) * 100}%` }}
                  />
                  <span className="visually-hidden">
                    {range}: {formatCount(bucket.customers)} customers
                  </span>
                </li>
              );
            })}
          </ol>
          <figcaption className="intel-histogram-axis muted small" aria-hidden="true">
            <span>{formatMoney(clv.histogram[0]?.fromCents ?? 0, currency, true)}</span>
            <span>{last ? `${formatMoney(last.fromCents, currency, true)}+` : ''}</span>
          </figcaption>
        </figure>
        <dl className="intel-params" data-testid="intel-percentiles">
          {percentiles.map(([name, cents]) => (
            <Param
              key={name}
              name={`${name} percentile`.replace('Median percentile', 'Median')}
              value={formatMoney(cents, currency)}
            />
          ))}
        </dl>
      </section>
    </>
  );
}

function Stat(props: { label: string; value: string }) {
  return (
    <div className="stat">
      <div className="muted small">{props.label}</div>
      <div className="value">{props.value}</div>
    </div>
  );
}

function AtRiskSection(props: { businessId: string; run: IntelligenceRun; currency: string }) {
  const { businessId, run, currency } = props;
  const predictive = run.model?.sufficiency.predictive === true;
  const atRisk = useAtRisk(businessId, run.id, run.scoresKept && predictive);
  const download = useDownloadScores(businessId, run.id);
  const items = atRisk.data?.items ?? [];

  return (
    <section className="card" aria-labelledby="intel-at-risk" data-testid="intel-at-risk">
      <div className="intel-section-head">
        <h2 id="intel-at-risk">Customers about to leave</h2>
        {run.scoresKept && (
          <button
            type="button"
            className="button secondary"
            disabled={download.isPending}
            onClick={() => {
              download.mutate();
            }}
          >
            {download.isPending ? 'Preparing…' : 'Download CSV'}
          </button>
        )}
      </div>
      {download.isError && (
        <ErrorNotice error={download.error} title="Could not download the scores" />
      )}
      {!run.scoresKept ? (
        <p data-testid="intel-scores-replaced">
          The per-customer scores of this run were replaced by newer runs: its figures above are
          kept, the list and the CSV only for the latest runs.
        </p>
      ) : !predictive ? (
        <p>
          Churn risk needs the predictive models (see the model card). The CSV still has every
          customer’s RFM scores.
        </p>
      ) : (
        <>
          <p className="muted">
            High churn risk (70 % or more), the most valuable first. The CSV has every customer’s
            scores.
          </p>
          {atRisk.isPending && <Skeleton lines={5} height={32} label="Loading the list…" />}
          {atRisk.isError && (
            <ErrorNotice
              error={atRisk.error}
              title="Could not load the churn-risk list"
              onRetry={() => void atRisk.refetch()}
            />
          )}
          {atRisk.isSuccess && items.length === 0 && <p>No customer is at high risk.</p>}
          {items.length > 0 && (
            <DataTable
              label="Customers at high churn risk"
              rows={items}
              rowKey={(customer) => customer.customerId}
              rowTestId="at-risk-row"
              columns={[
                {
                  header: 'Customer',
                  cellClassName: 'break',
                  cell: (customer) => (
                    <Link to={`/businesses/${businessId}/customers/${customer.customerId}`}>
                      {customer.name ?? customer.email ?? customer.userId ?? 'Unnamed customer'}
                    </Link>
                  ),
                },
                {
                  header: 'Churn risk',
                  className: 'number',
                  cell: (customer) => formatPercent(customer.churnRisk),
                },
                {
                  header: 'Lifetime value',
                  className: 'number',
                  cell: (customer) => formatMoney(customer.clvCents, currency),
                },
                {
                  header: 'Segment',
                  className: 'hide-narrow',
                  cell: (customer) => SEGMENT_LABELS[customer.rfmSegment],
                },
                {
                  header: 'Last purchase',
                  className: 'hide-narrow',
                  cell: (customer) => `${formatCount(customer.daysSinceLastPurchase)} days ago`,
                },
              ]}
            />
          )}
        </>
      )}
    </section>
  );
}

function RunHistory(props: {
  runs: IntelligenceRun[];
  loading: boolean;
  error: unknown;
  onRetry: () => void;
  shownId: string | null;
  onOpen: (runId: string) => void;
}) {
  if (!props.loading && props.error === null && props.runs.length === 0) return null;
  return (
    <section className="card intel-history" aria-labelledby="intel-history">
      <h2 id="intel-history">Run history</h2>
      {props.loading && <Skeleton lines={3} height={32} label="Loading the runs…" />}
      {props.error !== null && (
        <ErrorNotice error={props.error} title="Could not load the runs" onRetry={props.onRetry} />
      )}
      {props.runs.length > 0 && (
        <DataTable
          label="Runs"
          rows={props.runs}
          rowKey={(run) => run.id}
          rowTestId="intel-history-row"
          columns={[
            { header: 'As of', cell: (run) => formatDay(run.asOf) },
            { header: 'Status', cell: (run) => <StatusBadge status={run.status} /> },
            {
              header: 'Started by',
              className: 'hide-narrow',
              cell: (run) => (run.trigger === 'schedule' ? 'Nightly' : 'Manual'),
            },
            {
              header: 'When',
              className: 'hide-narrow',
              cell: (run) => formatDateTime(run.createdAt),
            },
            {
              header: <span className="visually-hidden">Open</span>,
              cell: (run) =>
                run.id === props.shownId ? (
                  <span className="muted small">Shown</span>
                ) : (
                  <button
                    type="button"
                    className="button secondary"
                    aria-label={`Open the run as of ${formatDay(run.asOf)}`}
                    onClick={() => {
                      props.onOpen(run.id);
                    }}
                  >
                    Open
                  </button>
                ),
            },
          ]}
        />
      )}
    </section>
  );
}
