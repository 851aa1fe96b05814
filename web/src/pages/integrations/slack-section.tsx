// The integrations page's Slack section: connect the app (Slack's consent page) or an incoming
// webhook, then choose the channel and which happenings are posted; disconnect. Members who may
// not manage the business see the connection without the controls.
import './slack.css';

import { type SyntheticEvent, useState } from 'react';
import { useSearchParams } from 'react-router';

import { ErrorNotice } from '../../components/error-notice';
import { Field, Skeleton } from '../../components/ui';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import {
  type SlackChoices,
  type SlackConnection,
  useConnectSlackWebhook,
  useDisconnectSlack,
  useSlack,
  useSlackChannels,
  useSlackInstall,
  useUpdateSlack,
} from './slack-queries';

const CHOICES: { key: keyof SlackChoices; label: string }[] = [
  { key: 'approvals', label: 'Pieces waiting for review, with Approve / Request changes buttons' },
  { key: 'publishing', label: 'A piece published, or failed to publish' },
  { key: 'jobs', label: 'A job finished or failed' },
  { key: 'bounces', label: "A sequence step's bounce rate over the threshold" },
  { key: 'budget', label: 'The AI budget at 80 % and 100 %' },
];

/** What Slack's redirect back to Herald said (`?slack=`), in words. */
function landingMessage(value: string | null): { ok: boolean; text: string } | null {
  if (!value) return null;
  if (value === 'connected') return { ok: true, text: 'Slack is connected.' };
  if (value === 'cancelled') return { ok: false, text: 'The Slack install was cancelled.' };
  return {
    ok: false,
    text: `Slack could not be connected (${value.replace(/^error:?/, '') || 'error'}). Try again.`,
  };
}

export function SlackSection({ businessId }: { businessId: string }) {
  const business = useScopedBusiness();
  const manage = can(business, 'business.manage');
  const slack = useSlack(businessId);
  const [params] = useSearchParams();
  const landing = landingMessage(params.get('slack'));

  return (
    <section aria-labelledby="slack-title" className="card stack" data-testid="slack-section">
      <h2 id="slack-title">Slack</h2>
      {landing && (
        <p className={`notice ${landing.ok ? 'info' : 'error'}`} role="status">
          {landing.text}
        </p>
      )}
      {slack.isPending ? (
        <Skeleton lines={3} label="Loading the Slack connection…" />
      ) : slack.isError ? (
        <ErrorNotice
          error={slack.error}
          title="Could not load the Slack connection"
          onRetry={() => void slack.refetch()}
        />
      ) : slack.data.connection ? (
        <SlackConnected
          businessId={businessId}
          connection={slack.data.connection}
          manage={manage}
        />
      ) : (
        <SlackConnect
          businessId={businessId}
          installAvailable={slack.data.installAvailable}
          manage={manage}
        />
      )}
    </section>
  );
}

function SlackConnect(props: { businessId: string; installAvailable: boolean; manage: boolean }) {
  const install = useSlackInstall(props.businessId);
  const connect = useConnectSlackWebhook(props.businessId);
  const [url, setUrl] = useState('');
  const [channelName, setChannelName] = useState('');
  const [urlError, setUrlError] = useState<string | undefined>();

  if (!props.manage) {
    return (
      <p className="muted" data-testid="slack-empty">
        Slack is not connected. An owner or an admin can connect it here.
      </p>
    );
  }

  function submit(event: SyntheticEvent) {
    event.preventDefault();
    if (!/^https?:\/\/\S+$/.test(url.trim())) {
      setUrlError('Paste the incoming-webhook URL Slack gave you (https://hooks.slack.com/…)');
      return;
    }
    setUrlError(undefined);
    connect.mutate({
      url: url.trim(),
      ...(channelName.trim() ? { channelName: channelName.trim().replace(/^#/, '') } : {}),
    });
  }

  return (
    <div className="stack" data-testid="slack-empty">
      <p className="muted">
        Post notifications to a channel, and approve pieces in review straight from Slack.
      </p>
      {props.installAvailable ? (
        <div className="form-actions">
          <button
            type="button"
            className="button primary"
            disabled={install.isPending}
            onClick={() => {
              install.mutate();
            }}
          >
            {install.isPending ? 'Opening Slack…' : 'Add to Slack'}
          </button>
        </div>
      ) : (
        <p className="hint">
          This Herald has no Slack app configured (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET), so
          approvals and /herald are not available; an incoming webhook posts notifications.
        </p>
      )}
      {install.isError && <ErrorNotice error={install.error} title="Could not start the install" />}
      <form className="form" onSubmit={submit} aria-label="Connect an incoming webhook" noValidate>
        <h3>Or use an incoming webhook (notifications only)</h3>
        <Field label="Incoming-webhook URL" error={urlError}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="url"
              inputMode="url"
              value={url}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              placeholder="https://hooks.slack.com/services/…"
              onChange={(event) => {
                setUrl(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Channel name (optional, shown here)">
          {({ id }) => (
            <input
              id={id}
              value={channelName}
              placeholder="#marketing"
              onChange={(event) => {
                setChannelName(event.target.value);
              }}
            />
          )}
        </Field>
        {connect.isError && (
          <ErrorNotice error={connect.error} title="Could not connect the webhook" />
        )}
        <div className="form-actions">
          <button type="submit" className="button" disabled={connect.isPending}>
            {connect.isPending ? 'Connecting…' : 'Connect webhook'}
          </button>
        </div>
      </form>
    </div>
  );
}

function SlackConnected(props: {
  businessId: string;
  connection: SlackConnection;
  manage: boolean;
}) {
  const { connection, manage } = props;
  const app = connection.kind === 'app';
  const channels = useSlackChannels(props.businessId, app && manage);
  const update = useUpdateSlack(props.businessId);
  const disconnect = useDisconnectSlack(props.businessId);
  const [choices, setChoices] = useState<SlackChoices>(connection.notifications);
  const [channelId, setChannelId] = useState(connection.channelId ?? '');
  const [threshold, setThreshold] = useState(
    String(Math.round(connection.bounceRateThreshold * 1000) / 10),
  );
  const [thresholdError, setThresholdError] = useState<string | undefined>();
  const [saved, setSaved] = useState(false);
  const where = connection.channelName ? `#${connection.channelName}` : 'no channel chosen yet';

  function save(event: SyntheticEvent) {
    event.preventDefault();
    const percent = Number(threshold);
    if (!Number.isFinite(percent) || percent <= 0 || percent > 100) {
      setThresholdError('A percentage above 0 and at most 100');
      return;
    }
    setThresholdError(undefined);
    const channel = channels.data?.items.find((item) => item.id === channelId);
    update.mutate(
      {
        notifications: choices,
        bounceRateThreshold: percent / 100,
        ...(channel ? { channelId: channel.id, channelName: channel.name } : {}),
      },
      {
        onSuccess: () => {
          setSaved(true);
        },
      },
    );
  }

  return (
    <div className="stack" data-testid="slack-connected">
      <p>
        {app ? (
          <>
            Connected to <strong>{connection.teamName ?? 'a Slack workspace'}</strong>, posting to{' '}
            <strong>{where}</strong>.
          </>
        ) : (
          <>Connected through an incoming webhook ({where}): notifications only, no approvals.</>
        )}
      </p>
      {manage ? (
        <form className="form" onSubmit={save} aria-label="Slack notifications" noValidate>
          {app && (
            <Field label="Channel">
              {({ id }) =>
                channels.isPending ? (
                  <Skeleton lines={1} label="Loading channels…" />
                ) : channels.isError ? (
                  <ErrorNotice
                    error={channels.error}
                    title="Could not list the channels"
                    onRetry={() => void channels.refetch()}
                  />
                ) : (
                  <select
                    id={id}
                    value={channelId}
                    onChange={(event) => {
                      setChannelId(event.target.value);
                      setSaved(false);
                    }}
                  >
                    <option value="">Choose a channel</option>
                    {channels.data.items.map((item) => (
                      <option key={item.id} value={item.id}>
                        #{item.name}
                      </option>
                    ))}
                  </select>
                )
              }
            </Field>
          )}
          <fieldset className="stack slack-choices">
            <legend>Post to Slack when</legend>
            {CHOICES.filter((choice) => app || choice.key !== 'approvals').map((choice) => (
              <label key={choice.key} className="slack-check">
                <input
                  type="checkbox"
                  checked={choices[choice.key]}
                  onChange={(event) => {
                    setChoices({ ...choices, [choice.key]: event.target.checked });
                    setSaved(false);
                  }}
                />{' '}
                {choice.label}
              </label>
            ))}
          </fieldset>
          <Field label="Bounce-rate threshold (%)" error={thresholdError}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="number"
                min="0.1"
                max="100"
                step="0.1"
                value={threshold}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(event) => {
                  setThreshold(event.target.value);
                  setSaved(false);
                }}
              />
            )}
          </Field>
          {update.isError && (
            <ErrorNotice error={update.error} title="Could not save the Slack settings" />
          )}
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={update.isPending}>
              {update.isPending ? 'Saving…' : 'Save'}
            </button>
            {saved && (
              <span className="saved" role="status">
                Saved
              </span>
            )}
            <button
              type="button"
              className="button secondary"
              disabled={disconnect.isPending}
              onClick={() => {
                if (window.confirm('Disconnect Slack? Nothing more will be posted.'))
                  disconnect.mutate();
              }}
            >
              {disconnect.isPending ? 'Disconnecting…' : 'Disconnect'}
            </button>
          </div>
          {disconnect.isError && (
            <ErrorNotice error={disconnect.error} title="Could not disconnect Slack" />
          )}
        </form>
      ) : (
        <ul className="muted">
          {CHOICES.filter((choice) => connection.notifications[choice.key]).map((choice) => (
            <li key={choice.key}>{choice.label}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
