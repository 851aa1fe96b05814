// AI usage and cost: today's budget and what is left, cost and tokens per day, and where the
// money went by task and by model, with the answers refused for numbers not in their figures;
// then the quality of the output (ratings, drafts approved as written) by task and model.
// Loaded on demand (the chart library is the largest part).
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import { keys } from '../api/queries';
import type { components } from '../api/schema';
import { DataTable } from '../components/data-table';
import { ErrorNotice } from '../components/error-notice';
import { EmptyState, PageHeader, PeriodField, Skeleton } from '../components/ui';
import { taskLabel } from '../format/labels';
import { formatUsd } from '../format/money';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useScopedBusiness } from './business-scope';
import { QualitySection } from './usage-quality';

type AiUsage = components['schemas']['AiUsage'];

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** Every UTC day from `from` to `to`, so days without calls show as zero, not as gaps. */
export function fillDays(usage: AiUsage) {
  const byDay = new Map(usage.byDay.map((day) => [day.day, day]));
  const days = [];
  for (
    let day = new Date(`${usage.from}T00:00:00Z`);
    isoDay(day) <= usage.to;
    day = new Date(day.getTime() + 86_400_000)
  ) {
    const key = isoDay(day);
    const figures = byDay.get(key);
    days.push({
      day: key.slice(5),
      costUsd: figures?.costUsd ?? 0,
      tokens: (figures?.promptTokens ?? 0) + (figures?.completionTokens ?? 0),
      calls: figures?.calls ?? 0,
    });
  }
  return days;
}

const usd = formatUsd;
const count = (value: number) => value.toLocaleString();

export function UsagePage() {
  const business = useScopedBusiness();
  useDocumentTitle('AI usage & cost', business.name);
  const api = useApi();
  const [days, setDays] = useState<number>(30);
  const to = isoDay(new Date());
  const from = isoDay(new Date(Date.now() - (days - 1) * 86_400_000));
  const usage = useQuery({
    queryKey: keys.usage(business.id, from, to),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/ai/usage', {
          params: { path: { businessId: business.id }, query: { from, to } },
          signal,
        }),
      ),
  });

  return (
    <>
      <PageHeader
        title="AI usage & cost"
        description="Every model call Herald made for this business: tokens, cost and today’s budget. Days are UTC."
      />
      <div className="toolbar">
        <PeriodField days={days} onChange={setDays} />
      </div>
      {usage.isPending && <Skeleton lines={6} height={36} label="Loading AI usage…" />}
      {usage.isError && (
        <ErrorNotice
          error={usage.error}
          title="Could not load AI usage"
          onRetry={() => void usage.refetch()}
        />
      )}
      {usage.isSuccess && <UsageReport usage={usage.data} businessId={business.id} />}
      <div className="stack">
        <QualitySection businessId={business.id} days={days} />
      </div>
    </>
  );
}

function UsageReport({ usage, businessId }: { usage: AiUsage; businessId: string }) {
  const { budget, totals } = usage;
  const spentShare = budget.dailyBudgetUsd > 0 ? budget.spentTodayUsd / budget.dailyBudgetUsd : 1;
  const meterClass = spentShare >= 1 ? 'meter full' : spentShare >= 0.8 ? 'meter high' : 'meter';
  return (
    <>
      <section className="stats" aria-label="Summary" data-testid="usage-summary">
        <div className="card stat">
          <div className="muted small">Budget left today</div>
          <div className="value" data-testid="budget-remaining">
            {usd(budget.remainingTodayUsd)}
          </div>
          <div className="muted small">
            of {usd(budget.dailyBudgetUsd)} a day (
            {budget.source === 'business' ? 'this business' : 'server default'})
          </div>
          <div
            className={meterClass}
            role="meter"
            aria-label="Share of today’s budget spent"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(Math.min(1, spentShare) * 100)}
          >
            <div style={{ width: `${Math.min(100, Math.round(spentShare * 100))}%` }} />
          </div>
        </div>
        <div className="card stat">
          <div className="muted small">Spent in the period</div>
          <div className="value">{usd(totals.costUsd)}</div>
          <div className="muted small">{usd(budget.spentTodayUsd)} today</div>
        </div>
        <div className="card stat">
          <div className="muted small">Tokens</div>
          <div className="value">{count(totals.promptTokens + totals.completionTokens)}</div>
          <div className="muted small">
            {count(totals.promptTokens)} in · {count(totals.completionTokens)} out
          </div>
        </div>
        <div className="card stat">
          <div className="muted small">Model calls</div>
          <div className="value">{count(totals.calls)}</div>
          <div className="muted small">{count(totals.succeeded)} succeeded</div>
          <div
            className="muted small"
            data-testid="usage-ungrounded"
            title="Answers that stated a number not among the figures the model was given: refused and asked again"
          >
            {count(totals.ungrounded)} refused for invented numbers
          </div>
        </div>
      </section>
      {totals.calls === 0 ? (
        <EmptyState
          title="No AI calls in this period"
          testId="usage-empty"
          action={{ label: 'Suggest a brand voice', to: `/businesses/${businessId}/profile` }}
        >
          <p>
            Cost and tokens appear here as soon as Herald writes something for this business. A good
            first step: let it suggest a brand voice from your profile.
          </p>
        </EmptyState>
      ) : (
        <div className="stack">
          <section className="card" aria-labelledby="daily-title">
            <h2 id="daily-title">Cost and tokens per day</h2>
            <div className="chart" data-testid="usage-chart">
              <ResponsiveContainer>
                <ComposedChart data={fillDays(usage)} margin={{ top: 8, right: 8, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="day" tickLine={false} />
                  <YAxis
                    yAxisId="cost"
                    width={64}
                    tickFormatter={(value: number) => `$${Number(value.toPrecision(2))}`}
                  />
                  <YAxis yAxisId="tokens" orientation="right" />
                  <Tooltip
                    formatter={(value, name) =>
                      name === 'Cost (USD)' ? usd(Number(value)) : count(Number(value))
                    }
                  />
                  <Legend />
                  <Bar
                    yAxisId="cost"
                    dataKey="costUsd"
                    name="Cost (USD)"
                    fill="#4f46e5"
                    isAnimationActive={false}
                  />
                  <Line
                    yAxisId="tokens"
                    dataKey="tokens"
                    name="Tokens"
                    stroke="#b54708"
                    dot={{ r: 3 }}
                    isAnimationActive={false}
                    type="monotone"
                  />
                </ComposedChart>
              </ResponsiveContainer>
            </div>
          </section>
          <div className="grid-two">
            <Breakdown
              title="By task"
              rows={usage.byTask.map((row) => ({ ...row, label: taskLabel(row.task) }))}
            />
            <Breakdown
              title="By model"
              rows={usage.byModel.map((row) => ({
                ...row,
                label: row.model,
              }))}
            />
          </div>
        </div>
      )}
    </>
  );
}

interface BreakdownRow {
  label: string;
  calls: number;
  ungrounded: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

function Breakdown({ title, rows }: { title: string; rows: BreakdownRow[] }) {
  const data = rows.map((row) => ({
    label: row.label,
    costUsd: row.costUsd,
    tokens: row.promptTokens + row.completionTokens,
  }));
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      <div className="chart" style={{ height: Math.max(140, rows.length * 44 + 40) }}>
        <ResponsiveContainer>
          <BarChart data={data} layout="vertical" margin={{ left: 8, right: 16 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" dataKey="tokens" />
            <YAxis type="category" dataKey="label" width={130} />
            <Tooltip />
            <Bar dataKey="tokens" name="Tokens" fill="#6366f1" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <DataTable
        rows={rows}
        rowKey={(row) => row.label}
        columns={[
          { header: title.replace('By ', ''), cell: (row) => row.label },
          { header: 'Calls', className: 'number', cell: (row) => count(row.calls) },
          {
            header: 'Refused: invented numbers',
            className: 'number',
            cell: (row) => count(row.ungrounded),
          },
          {
            header: 'Tokens',
            className: 'number',
            cell: (row) => count(row.promptTokens + row.completionTokens),
          },
          { header: 'Cost', className: 'number', cell: (row) => usd(row.costUsd) },
        ]}
      />
    </section>
  );
}
