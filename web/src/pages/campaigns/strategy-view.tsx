// The campaign strategy: objectives with their targets, the audience, key messages and the
// channel mix, version by version; and "Generate strategy", an AI job followed live that also
// turns the calendar into content placeholders. A reload mid-generation picks the job up again.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { isFinished, keys } from '../../api/queries';
import { ErrorNotice } from '../../components/error-notice';
import { AiNotesAndStart, JobProgress, useTrackedJob } from '../../components/job-progress';
import { EmptyState, Field, formatDateTime, Skeleton } from '../../components/ui';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { formatDay } from './campaigns-page';
import { type Campaign, platformLabel, type StrategyVersion, useStrategies } from './queries';

export function StrategyView({ campaign }: { campaign: Campaign }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const strategies = useStrategies(campaign.businessId, campaign.id);
  const tracked = useTrackedJob(`herald.job.strategy.${campaign.id}`);
  const { job } = tracked;
  const [notes, setNotes] = useState('');
  const [chosen, setChosen] = useState<number | null>(null);

  // A finished generation changes the campaign, its strategies and its content.
  const finishedId = job && isFinished(job) ? job.id : null;
  useEffect(() => {
    if (!finishedId) return;
    void queryClient.invalidateQueries({ queryKey: keys.campaigns(campaign.businessId) });
    void queryClient.invalidateQueries({ queryKey: keys.content(campaign.businessId) });
  }, [finishedId, queryClient, campaign.businessId]);

  const start = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/campaigns/{campaignId}/strategy', {
          params: { path: { businessId: campaign.businessId, campaignId: campaign.id } },
          body: notes.trim() ? { notes: notes.trim() } : {},
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: (accepted) => {
      tracked.follow(accepted.job.id);
      setChosen(null);
    },
  });
  const generate = () => {
    start.mutate();
  };

  const inProgress = job !== null && !isFinished(job);
  const writes = can(useScopedBusiness(), 'content.write');
  const versions = strategies.data?.items ?? [];
  const shown = versions.find((version) => version.version === chosen) ?? versions[0];
  const result = job?.status === 'succeeded' ? job.result : null;

  return (
    <div className="stack">
      <section className="card" aria-labelledby="generate-title" data-testid="strategy-generate">
        <h2 id="generate-title">
          {versions.length > 0 ? 'Generate a new strategy' : 'Generate strategy'}
        </h2>
        <p className="muted small">
          Herald writes objectives, key messages, a channel mix and a dated content calendar; every
          calendar entry becomes a placeholder you can write. Earlier versions are kept, and pieces
          already in progress are never duplicated.
        </p>
        {!writes && (
          <p className="muted small" data-testid="strategy-read-only">
            Your role can read the strategy; an owner, admin or editor generates it.
          </p>
        )}
        {!inProgress && writes && (
          <AiNotesAndStart
            notesLabel="Notes for the strategist (optional)"
            notesHint="Offers, dates that matter, constraints…"
            notes={notes}
            onNotesChange={setNotes}
            startLabel="Generate strategy"
            starting={start.isPending}
            onStart={generate}
          />
        )}
        {start.isError && (
          <ErrorNotice
            error={start.error}
            title="The strategy could not start"
            onRetry={generate}
          />
        )}
        <JobProgress
          job={job}
          error={tracked.error}
          label="Strategy generation progress"
          failedTitle="The AI could not finish this strategy"
          onRetry={generate}
        />
        {result && (
          <p className="saved" role="status" data-testid="strategy-done">
            Strategy version {String(result.strategyVersion)} is ready:{' '}
            {String(result.placeholdersCreated)} new placeholders.{' '}
            <Link to={`/businesses/${campaign.businessId}/campaigns/${campaign.id}/calendar`}>
              Open the calendar
            </Link>
          </p>
        )}
      </section>
      {strategies.isPending && <Skeleton lines={6} height={24} label="Loading the strategy…" />}
      {strategies.isError && (
        <ErrorNotice
          error={strategies.error}
          title="Could not load the strategy"
          onRetry={() => void strategies.refetch()}
        />
      )}
      {strategies.isSuccess && versions.length === 0 && !inProgress && (
        <EmptyState title="No strategy yet" testId="strategy-empty">
          <p>
            {writes ? 'Generate one above.' : 'Nobody has generated one yet.'} It uses the
            campaign’s goal, channels and dates, and the business’s brand profile.
          </p>
        </EmptyState>
      )}
      {shown && (
        <StrategyDetails
          version={shown}
          versions={versions}
          onChoose={(version) => {
            setChosen(version);
          }}
        />
      )}
    </div>
  );
}

function StrategyDetails(props: {
  version: StrategyVersion;
  versions: StrategyVersion[];
  onChoose: (version: number) => void;
}) {
  const { strategy } = props.version;
  return (
    <section className="card strategy" aria-labelledby="strategy-title" data-testid="strategy">
      <div className="section-header">
        <h2 id="strategy-title">Strategy, version {props.version.version}</h2>
        {props.versions.length > 1 && (
          <Field label="Version">
            {({ id }) => (
              <select
                id={id}
                value={props.version.version}
                onChange={(event) => {
                  props.onChoose(Number(event.target.value));
                }}
              >
                {props.versions.map((version) => (
                  <option key={version.id} value={version.version}>
                    v{version.version} · {formatDateTime(version.createdAt)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </div>
      <p>{strategy.summary}</p>
      <div className="grid-two">
        <div>
          <h3>Objectives</h3>
          <ul data-testid="objectives">
            {strategy.objectives.map((objective) => (
              <li key={objective.objective}>
                {objective.objective}{' '}
                <span className="muted small">
                  ({objective.metric}: {objective.target.toLocaleString()}
                  {objective.unit ? ` ${objective.unit}` : ''})
                </span>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3>Audience</h3>
          <p>{strategy.audience.description}</p>
          {strategy.audience.segments.length > 0 && (
            <ul>
              {strategy.audience.segments.map((segment) => (
                <li key={segment}>{segment}</li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3>Key messages</h3>
          <ul>
            {strategy.keyMessages.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </div>
        <div>
          <h3>Channel mix</h3>
          <ul className="channel-mix">
            {strategy.channelMix.map((mix) => (
              <li key={mix.channel}>
                <span className="mix-label">
                  <strong>{platformLabel(mix.channel)}</strong> {mix.sharePercent}%
                </span>
                <span
                  className="mix-bar"
                  aria-hidden="true"
                  style={{ width: `${Math.min(100, mix.sharePercent)}%` }}
                />
                <span className="muted small">{mix.rationale}</span>
              </li>
            ))}
          </ul>
        </div>
      </div>
      <h3>Calendar</h3>
      <p className="muted small">
        {strategy.calendar.length} planned pieces from {formatDay(strategy.calendar[0]?.date)} to{' '}
        {formatDay(strategy.calendar.at(-1)?.date)}.
      </p>
    </section>
  );
}
