// The business's campaigns: each with its dates, channels, strategy version and how far its
// pieces have come, and a form for a new one (which opens the campaign once created, ready for
// its strategy).
import './campaigns.css';

import { useState } from 'react';
import { Link, useNavigate } from 'react-router';

import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, PageHeader, Skeleton, StatusBadge } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { CampaignForm } from './campaign-form';
import { CampaignProgressSummary } from './campaign-progress';
import { platformLabel, useCampaigns, useCreateCampaign } from './queries';

export function formatDay(day: string | null | undefined): string {
  if (!day) return '—';
  return new Date(`${day}T12:00:00Z`).toLocaleDateString(undefined, {
    dateStyle: 'medium',
    timeZone: 'UTC',
  });
}

export function CampaignsPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Campaigns', business.name);
  const campaigns = useCampaigns(business.id);
  const create = useCreateCampaign(business.id);
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const write = can(business, 'content.write');
  const items = campaigns.data?.items ?? [];

  return (
    <>
      <PageHeader
        title="Campaigns"
        description="A campaign has a goal, channels and dates; Herald plans its strategy and content calendar."
        actions={
          !creating &&
          write && (
            <button
              type="button"
              className="button primary"
              onClick={() => {
                setCreating(true);
              }}
            >
              New campaign
            </button>
          )
        }
      />
      {creating && (
        <CampaignForm
          title="New campaign"
          businessChannels={business.channels}
          submitLabel="Create campaign"
          pending={create.isPending}
          error={create.error}
          onCancel={() => {
            setCreating(false);
            create.reset();
          }}
          onSubmit={(input) => {
            create.mutate(input, {
              onSuccess: (campaign) => {
                void navigate(`/businesses/${business.id}/campaigns/${campaign.id}/strategy`);
              },
            });
          }}
        />
      )}
      {campaigns.isPending && <Skeleton lines={4} height={48} label="Loading the campaigns…" />}
      {campaigns.isError && (
        <ErrorNotice
          error={campaigns.error}
          title="Could not load the campaigns"
          onRetry={() => void campaigns.refetch()}
        />
      )}
      {campaigns.isSuccess && items.length === 0 && !creating && (
        <EmptyState title="No campaigns yet" testId="campaigns-empty">
          <p>
            Start one with a goal and the channels you use: Herald drafts the strategy, a dated
            content calendar and every post for you to review.
          </p>
          {write && (
            <button
              type="button"
              className="button primary"
              onClick={() => {
                setCreating(true);
              }}
            >
              Create a campaign
            </button>
          )}
        </EmptyState>
      )}
      {items.length > 0 && (
        <ul className="card-list" aria-label="Campaigns">
          {items.map((campaign) => (
            <li key={campaign.id} className="card business-card" data-testid="campaign-card">
              <Link to={`/businesses/${business.id}/campaigns/${campaign.id}`}>
                <strong>{campaign.name}</strong>
              </Link>
              <span>
                <StatusBadge status={campaign.status} />{' '}
                <span className="muted small">
                  {campaign.strategyVersion > 0
                    ? `Strategy v${campaign.strategyVersion}`
                    : 'No strategy yet'}
                </span>
              </span>
              <span className="muted small">
                {formatDay(campaign.startDate)} – {formatDay(campaign.endDate)}
              </span>
              <span className="muted small">
                {campaign.channels.length > 0
                  ? campaign.channels.map(platformLabel).join(' · ')
                  : 'No channels chosen'}
              </span>
              <CampaignProgressSummary campaign={campaign} compact />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
