// Campaign analytics: the figures reported for its pieces (impressions, clicks, conversions,
// spend and revenue) per day and per platform, and the rates Herald derives from them (CTR,
// conversion rate, cost per conversion, ROAS), entering figures by hand or from a CSV file, and
// the AI insight summary. Loaded on demand, with the chart library.
import type { ReactElement } from 'react';
import {
  Bar,
  BarChart,
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
import { EmptyState, Skeleton } from '../../components/ui';
import { formatCents } from '../../format/money';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { CampaignInsights } from './campaign-insights';
import { MetricsEntry } from './metrics-entry';
import {
  type Campaign,
  type CampaignAnalytics,
  platformLabel,
  useCampaignAnalytics,
} from './queries';

const money = formatCents;
const percent = (rate: number | null) =>
  rate === null ? '—' : `${(rate * 100).toLocaleString(undefined, { maximumFractionDigits: 2 })}%`;
const count = (value: number) => value.toLocaleString();

/** Chart rows per day: money in currency units, rates in percent. */
export function dailyRows(analytics: CampaignAnalytics) {
  return [...analytics.byDay]
    .sort((a, b) => a.day.localeCompare(b.day))
    .map((day) => ({
      day: day.day.slice(5),
      impressions: day.impressions,
      clicks: day.clicks,
      conversions: day.conversions,
      spend: day.spendCents / 100,
      revenue: day.revenueCents / 100,
      ctr: day.ctr === null ? null : Number((day.ctr * 100).toFixed(2)),
      conversionRate:
        day.conversionRate === null ? null : Number((day.conversionRate * 100).toFixed(2)),
    }));
}

export function CampaignAnalyticsView({ campaign }: { campaign: Campaign }) {
  const analytics = useCampaignAnalytics(campaign.businessId, campaign.id);
  const writes = can(useScopedBusiness(), 'content.write');
  if (analytics.isPending) return <Skeleton lines={6} height={32} label="Loading the figures…" />;
  if (analytics.isError) {
    return (
      <ErrorNotice
        error={analytics.error}
        title="Could not load the analytics"
        onRetry={() => void analytics.refetch()}
      />
    );
  }
  const data = analytics.data;
  const { totals } = data;
  const stats = [
    { label: 'Impressions', value: count(totals.impressions) },
    { label: 'Clicks', value: count(totals.clicks), note: `CTR ${percent(totals.ctr)}` },
    {
      label: 'Conversions',
      value: count(totals.conversions),
      note: `Conversion rate ${percent(totals.conversionRate)}`,
    },
    {
      label: 'Spend',
      value: money(totals.spendCents),
      note: `Cost per conversion ${money(totals.costPerConversionCents)}`,
    },
    {
      label: 'Revenue',
      value: money(totals.revenueCents),
      note: `ROAS ${totals.roas === null ? '—' : `${totals.roas.toFixed(2)}×`}`,
    },
  ];
  return (
    <div className="stack" data-testid="campaign-analytics">
      <section className="stats" aria-label="Campaign totals">
        {stats.map((stat) => (
          <div key={stat.label} className="card stat">
            <div className="muted small">{stat.label}</div>
            <div className="value">{stat.value}</div>
            {stat.note && <div className="muted small">{stat.note}</div>}
          </div>
        ))}
      </section>
      {data.byDay.length === 0 ? (
        <EmptyState title="No figures yet" testId="analytics-empty">
          <p>
            Figures appear once an integration reports them for the published pieces, or once you
            enter them below, by hand or from a CSV file.
          </p>
        </EmptyState>
      ) : (
        <>
          <div className="grid-two">
            <ChartCard title="Reach and response per day">
              <LineChart data={dailyRows(data)} margin={{ top: 8, right: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="day" tickLine={false} />
                <YAxis width={56} />
                <Tooltip />
                <Legend />
                <Line
                  dataKey="impressions"
                  name="Impressions"
                  stroke="#4f46e5"
                  isAnimationActive={false}
                />
                <Line dataKey="clicks" name="Clicks" stroke="#b54708" isAnimationActive={false} />
                <Line
                  dataKey="conversions"
                  name="Conversions"
                  stroke="#067647"
                  isAnimationActive={false}
                />
              </LineChart>
            </ChartCard>
            <ChartCard title="Spend and revenue per day">
              <BarChart data={dailyRows(data)} margin={{ top: 8, right: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="day" tickLine={false} />
                <YAxis width={56} />
                <Tooltip />
                <Legend />
                <Bar dataKey="spend" name="Spend" fill="#b42318" isAnimationActive={false} />
                <Bar dataKey="revenue" name="Revenue" fill="#067647" isAnimationActive={false} />
              </BarChart>
            </ChartCard>
            <ChartCard title="CTR and conversion rate per day (%)">
              <LineChart data={dailyRows(data)} margin={{ top: 8, right: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="day" tickLine={false} />
                <YAxis width={48} unit="%" />
                <Tooltip />
                <Legend />
                <Line
                  dataKey="ctr"
                  name="CTR"
                  stroke="#4f46e5"
                  connectNulls
                  isAnimationActive={false}
                />
                <Line
                  dataKey="conversionRate"
                  name="Conversion rate"
                  stroke="#067647"
                  connectNulls
                  isAnimationActive={false}
                />
              </LineChart>
            </ChartCard>
            <ChartCard title="By platform">
              <BarChart
                data={data.byPlatform.map((row) => ({
                  platform: platformLabel(row.platform),
                  clicks: row.clicks,
                  conversions: row.conversions,
                }))}
                margin={{ top: 8, right: 8, left: 0 }}
              >
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="platform" tickLine={false} />
                <YAxis width={48} />
                <Tooltip />
                <Legend />
                <Bar dataKey="clicks" name="Clicks" fill="#6366f1" isAnimationActive={false} />
                <Bar
                  dataKey="conversions"
                  name="Conversions"
                  fill="#067647"
                  isAnimationActive={false}
                />
              </BarChart>
            </ChartCard>
          </div>
          <section className="card" aria-labelledby="by-content-title">
            <h2 id="by-content-title">By piece</h2>
            <DataTable
              rows={data.byContent}
              rowKey={(row) => row.contentId}
              columns={[
                {
                  header: 'Piece',
                  cell: (row) => `${platformLabel(row.platform)} · ${row.topic}`,
                },
                {
                  header: 'Impressions',
                  className: 'number',
                  cell: (row) => count(row.impressions),
                },
                { header: 'CTR', className: 'number', cell: (row) => percent(row.ctr) },
                {
                  header: 'Conv. rate',
                  className: 'number',
                  cell: (row) => percent(row.conversionRate),
                },
                {
                  header: 'Cost / conv.',
                  className: 'number',
                  cell: (row) => money(row.costPerConversionCents),
                },
                {
                  header: 'ROAS',
                  className: 'number',
                  cell: (row) => (row.roas === null ? '—' : `${row.roas.toFixed(2)}×`),
                },
              ]}
            />
          </section>
        </>
      )}
      <div className="grid-two">
        {writes && <MetricsEntry campaign={campaign} />}
        <CampaignInsights campaign={campaign} />
      </div>
    </div>
  );
}

function ChartCard({ title, children }: { title: string; children: ReactElement }) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      <div className="chart" data-testid="analytics-chart">
        <ResponsiveContainer>{children}</ResponsiveContainer>
      </div>
    </section>
  );
}
