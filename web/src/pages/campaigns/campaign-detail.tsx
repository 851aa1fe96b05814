// One campaign: its header and tabs (overview, strategy, calendar, analytics), each tab a
// route of its own under /businesses/:businessId/campaigns/:campaignId/…, so reloads and shared
// links land on the same view.
import './campaigns.css';

import { lazy, Suspense, useState } from 'react';
import { Link, NavLink, Route, Routes, useParams } from 'react-router';

import { LoadFailure } from '../../components/error-notice';
import { PageHeader, Skeleton, StatusBadge } from '../../components/ui';
import { formatCents } from '../../format/money';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { BulkActions } from './bulk-actions';
import { CampaignForm } from './campaign-form';
import { CampaignProgressSummary } from './campaign-progress';
import { formatDay } from './campaigns-page';
import { ContentCalendar } from './content-calendar';
import { type Campaign, platformLabel, useCampaign, useUpdateCampaign } from './queries';
import { StrategyView } from './strategy-view';

// Recharts is the largest part of the dashboard: only the analytics tab loads it.
const CampaignAnalyticsView = lazy(() =>
  import('./campaign-analytics').then((module) => ({ default: module.CampaignAnalyticsView })),
);

const TABS = [
  { path: '', label: 'Overview' },
  { path: 'strategy', label: 'Strategy' },
  { path: 'calendar', label: 'Calendar' },
  { path: 'analytics', label: 'Analytics' },
] as const;

export function CampaignDetailPage() {
  const business = useScopedBusiness();
  const { campaignId = '' } = useParams();
  const campaign = useCampaign(business.id, campaignId);
  useDocumentTitle(campaign.data?.name ?? 'Campaign', business.name);
  const base = `/businesses/${business.id}/campaigns/${campaignId}`;

  if (campaign.isPending) return <Skeleton lines={6} height={28} label="Loading the campaign…" />;
  if (campaign.isError) {
    return (
      <LoadFailure
        error={campaign.error}
        notFoundTitle="Campaign not found"
        back={{ label: 'See the campaigns', to: `/businesses/${business.id}/campaigns` }}
        errorTitle="Could not load this campaign"
        onRetry={() => void campaign.refetch()}
      >
        <p>It may have been deleted.</p>
      </LoadFailure>
    );
  }

  const data = campaign.data;
  return (
    <>
      <p className="breadcrumb">
        <Link to={`/businesses/${business.id}/campaigns`}>Campaigns</Link>
      </p>
      <PageHeader
        title={data.name}
        description={
          <>
            <StatusBadge status={data.status} /> {formatDay(data.startDate)} –{' '}
            {formatDay(data.endDate)}
          </>
        }
      />
      <nav className="tabs" aria-label="Campaign views">
        {TABS.map((tab) => (
          <NavLink key={tab.path} to={tab.path ? `${base}/${tab.path}` : base} end>
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<CampaignOverview campaign={data} />} />
        <Route path="strategy" element={<StrategyView campaign={data} />} />
        <Route
          path="calendar"
          element={
            <>
              <BulkActions campaign={data} />
              <ContentCalendar campaign={data} />
            </>
          }
        />
        <Route
          path="analytics"
          element={
            <Suspense fallback={<Skeleton lines={6} height={32} label="Loading the charts…" />}>
              <CampaignAnalyticsView campaign={data} />
            </Suspense>
          }
        />
      </Routes>
    </>
  );
}

function CampaignOverview({ campaign }: { campaign: Campaign }) {
  const update = useUpdateCampaign(campaign.businessId, campaign.id);
  const write = can(useScopedBusiness(), 'content.write');
  const [editing, setEditing] = useState(false);
  if (editing) {
    return (
      <CampaignForm
        title="Edit the campaign"
        campaign={campaign}
        submitLabel="Save changes"
        pending={update.isPending}
        error={update.error}
        onCancel={() => {
          setEditing(false);
          update.reset();
        }}
        onSubmit={(input) => {
          update.mutate(input, {
            onSuccess: () => {
              setEditing(false);
            },
          });
        }}
      />
    );
  }
  return (
    <section className="card" aria-labelledby="overview-title">
      <div className="section-header">
        <h2 id="overview-title">Overview</h2>
        {write && (
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              setEditing(true);
            }}
          >
            Edit campaign
          </button>
        )}
      </div>
      {update.isSuccess && (
        <p className="saved" role="status">
          Saved
        </p>
      )}
      <dl className="facts">
        <dt>Goal</dt>
        <dd>{campaign.goal || <span className="muted">No goal written yet</span>}</dd>
        <dt>Audience</dt>
        <dd>{campaign.audience ?? <span className="muted">The business’s audience</span>}</dd>
        <dt>Channels</dt>
        <dd>
          {campaign.channels.length > 0
            ? campaign.channels.map(platformLabel).join(' · ')
            : 'None chosen'}
        </dd>
        <dt>Budget</dt>
        <dd>{formatCents(campaign.budgetCents)}</dd>
        <dt>Pieces</dt>
        <dd>
          <CampaignProgressSummary campaign={campaign} />
        </dd>
        <dt>Status</dt>
        <dd className="small">
          {campaign.status === 'draft'
            ? 'Draft: being planned. It becomes active when one of its pieces is scheduled.'
            : campaign.status === 'active'
              ? 'Active: under way. Pause, complete or archive it from “Edit campaign”.'
              : 'Set by you; Herald changes it only from draft to active.'}
        </dd>
        <dt>Strategy</dt>
        <dd>
          <Link to={`/businesses/${campaign.businessId}/campaigns/${campaign.id}/strategy`}>
            {campaign.strategyVersion > 0
              ? `Version ${campaign.strategyVersion}`
              : 'Not generated yet'}
          </Link>
        </dd>
      </dl>
    </section>
  );
}
