// One broadcast: write it (from a template or from scratch, optionally as an A/B test of two
// subjects), pick who gets it, send a test to yourself, send it now or schedule it (optionally at
// each subscriber's local time), and follow its results.
import './broadcasts.css';

import { type SubmitEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { ApiError } from '../../api/errors';
import { useMe } from '../../api/queries';
import { DraftVariantsButton } from '../../components/draft-variants-button';
import { ErrorNotice } from '../../components/error-notice';
import { Field, PageHeader, ProgressBar, Skeleton, StatusBadge } from '../../components/ui';
import { formatDateTime } from '../../format/date-time';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import {
  type Broadcast,
  type CreateBroadcastBody,
  useAudiences,
  useBroadcast,
  useBroadcastAction,
  useBroadcastAnalytics,
  useSaveBroadcast,
  useTemplates,
  useTestSend,
} from './broadcast-queries';

interface Draft {
  name: string;
  templateId: string;
  subject: string;
  preheader: string;
  body: string;
  audience: string;
  ab: boolean;
  subjectB: string;
  testPercent: number;
  waitHours: number;
  metric: 'opens' | 'clicks';
}

const EMPTY: Draft = {
  name: '',
  templateId: '',
  subject: '',
  preheader: '',
  body: '',
  audience: 'all',
  ab: false,
  subjectB: '',
  testPercent: 20,
  waitHours: 4,
  metric: 'opens',
};

function draftOf(broadcast: Broadcast): Draft {
  const [a, b] = broadcast.variants;
  return {
    name: broadcast.name,
    templateId: broadcast.templateId ?? '',
    subject: a?.subject ?? '',
    preheader: a?.preheader ?? '',
    body: a?.markdown ?? a?.html ?? '',
    audience: broadcast.audience.type === 'segment' ? broadcast.audience.segmentId : 'all',
    ab: broadcast.abTest !== null,
    subjectB: b?.subject ?? '',
    testPercent: broadcast.abTest?.testPercent ?? 20,
    waitHours: Math.max(1, Math.round((broadcast.abTest?.waitMinutes ?? 240) / 60)),
    metric: broadcast.abTest?.metric ?? 'opens',
  };
}

function bodyOf(draft: Draft): CreateBroadcastBody {
  const content = { preheader: draft.preheader, markdown: draft.body, text: '' };
  return {
    name: draft.name,
    ...(draft.templateId ? { templateId: draft.templateId } : {}),
    variants: [
      { subject: draft.subject, ...content },
      ...(draft.ab ? [{ subject: draft.subjectB, ...content }] : []),
    ],
    audience:
      draft.audience === 'all' ? { type: 'all' } : { type: 'segment', segmentId: draft.audience },
    abTest: draft.ab
      ? { metric: draft.metric, testPercent: draft.testPercent, waitMinutes: draft.waitHours * 60 }
      : null,
  };
}

export function BroadcastPage() {
  const business = useScopedBusiness();
  const { broadcastId } = useParams();
  const broadcast = useBroadcast(business.id, broadcastId);
  useDocumentTitle(broadcast.data?.name ?? 'New broadcast', business.name);

  if (broadcastId !== undefined && broadcast.isPending)
    return <Skeleton lines={6} height={40} label="Loading the broadcast…" />;
  if (broadcast.isError)
    return (
      <ErrorNotice
        error={broadcast.error}
        title="Could not load the broadcast"
        onRetry={() => void broadcast.refetch()}
      />
    );
  const current = broadcast.data;
  return (
    <>
      <PageHeader
        title={current ? current.name : 'New broadcast'}
        description={
          current ? (
            <>
              <StatusBadge status={current.status} />{' '}
              {current.scheduledAt &&
                `· ${current.status === 'sent' ? 'sent' : 'sends'} ${formatDateTime(current.scheduledAt, business.timezone)}`}
            </>
          ) : (
            'Write the email, choose who gets it, then send a test to yourself.'
          )
        }
        actions={
          <Link className="button secondary" to={`/businesses/${business.id}/broadcasts`}>
            All broadcasts
          </Link>
        }
      />
      <div className="bc-grid">
        <EditorCard
          key={current?.updatedAt ?? 'new'}
          businessId={business.id}
          broadcast={current}
        />
        {current && (
          <SendCard businessId={business.id} broadcast={current} zone={business.timezone} />
        )}
      </div>
      {current && ['sending', 'sent', 'cancelled'].includes(current.status) && (
        <ResultsCard businessId={business.id} broadcast={current} />
      )}
    </>
  );
}

function EditorCard(props: { businessId: string; broadcast: Broadcast | undefined }) {
  const { businessId, broadcast } = props;
  const navigate = useNavigate();
  const templates = useTemplates(businessId);
  const audiences = useAudiences(businessId);
  const save = useSaveBroadcast(businessId, broadcast?.id);
  const [draft, setDraft] = useState<Draft>(broadcast ? draftOf(broadcast) : EMPTY);
  const editable = !broadcast || broadcast.status === 'draft';
  const fields = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const emailTemplates = (templates.data?.items ?? []).filter((item) => item.kind === 'email');
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((previous) => ({ ...previous, [key]: value }));
  };

  function pickTemplate(id: string) {
    const template = emailTemplates.find((item) => item.id === id);
    setDraft((previous) =>
      template
        ? {
            ...previous,
            templateId: id,
            subject: template.subject,
            preheader: template.preheader,
            body: template.markdown ?? template.html,
          }
        : { ...previous, templateId: '' },
    );
  }

  function submit(event: SubmitEvent) {
    event.preventDefault();
    save.mutate(bodyOf(draft), {
      onSuccess: (saved) => {
        if (!broadcast) void navigate(`/businesses/${businessId}/broadcasts/${saved.id}`);
      },
    });
  }

  const bodyError = fields['variants.0.markdown'] ?? fields['variants.0.html'] ?? fields.variants;
  return (
    <form className="card form stack" onSubmit={submit} aria-label="Broadcast">
      <Field label="Broadcast name" hint="Only your team sees it" error={fields.name}>
        {({ id, describedBy }) => (
          <input
            id={id}
            required
            maxLength={200}
            disabled={!editable}
            aria-describedby={describedBy}
            value={draft.name}
            onChange={(event) => {
              set('name', event.target.value);
            }}
          />
        )}
      </Field>
      {editable && (
        <Field
          label="Start from a template"
          hint={
            templates.isError ? 'Templates could not be loaded' : 'Copies its subject and body here'
          }
        >
          {({ id, describedBy }) => (
            <select
              id={id}
              aria-describedby={describedBy}
              value={draft.templateId}
              onChange={(event) => {
                pickTemplate(event.target.value);
              }}
            >
              <option value="">No template</option>
              {emailTemplates.map((template) => (
                <option key={template.id} value={template.id}>
                  {template.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label="Who gets it" error={fields['audience.segmentId']}>
        {({ id, describedBy }) => (
          <select
            id={id}
            disabled={!editable}
            aria-describedby={describedBy}
            value={draft.audience}
            onChange={(event) => {
              set('audience', event.target.value);
            }}
          >
            <option value="all">All subscribers who agreed to emails</option>
            {(audiences.data?.items ?? []).map((segment) => (
              <option key={segment.id} value={segment.id}>
                Segment: {segment.name} ({segment.size.toLocaleString()})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label={draft.ab ? 'Subject A' : 'Subject'}
        hint='Liquid works here: {{ subscriber.first_name | default: "there" }}'
        error={fields['variants.0.subject']}
      >
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            required
            disabled={!editable}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            value={draft.subject}
            onChange={(event) => {
              set('subject', event.target.value);
            }}
          />
        )}
      </Field>
      <Field label="Preview text" hint="Shown after the subject in most inboxes">
        {({ id, describedBy }) => (
          <input
            id={id}
            disabled={!editable}
            aria-describedby={describedBy}
            value={draft.preheader}
            onChange={(event) => {
              set('preheader', event.target.value);
            }}
          />
        )}
      </Field>
      <Field
        label="Email body (Markdown)"
        hint="Include a saved block with {% render 'footer' %}"
        error={bodyError}
      >
        {({ id, describedBy, invalid }) => (
          <textarea
            id={id}
            className="bc-body"
            required
            disabled={!editable}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            value={draft.body}
            onChange={(event) => {
              set('body', event.target.value);
            }}
          />
        )}
      </Field>
      <label className="bc-check">
        <input
          type="checkbox"
          disabled={!editable}
          checked={draft.ab}
          onChange={(event) => {
            set('ab', event.target.checked);
          }}
        />{' '}
        A/B test two subjects first
      </label>
      {draft.ab && (
        <div className="stack">
          <Field label="Subject B" error={fields['variants.1.subject']}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                required
                disabled={!editable}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={draft.subjectB}
                onChange={(event) => {
                  set('subjectB', event.target.value);
                }}
              />
            )}
          </Field>
          {editable && (
            <DraftVariantsButton
              businessId={businessId}
              subject={draft.subject}
              body={draft.body}
              count={1}
              vary="subject"
              onDrafted={([variant]) => {
                if (variant) set('subjectB', variant.subject);
              }}
            />
          )}
          <div className="bc-row">
            <Field label="Test group (%)" hint="Split evenly between A and B">
              {({ id, describedBy }) => (
                <input
                  id={id}
                  type="number"
                  min={2}
                  max={90}
                  disabled={!editable}
                  aria-describedby={describedBy}
                  value={draft.testPercent}
                  onChange={(event) => {
                    set('testPercent', Number(event.target.value));
                  }}
                />
              )}
            </Field>
            <Field label="Pick the winner after (hours)">
              {({ id }) => (
                <input
                  id={id}
                  type="number"
                  min={1}
                  max={168}
                  disabled={!editable}
                  value={draft.waitHours}
                  onChange={(event) => {
                    set('waitHours', Number(event.target.value));
                  }}
                />
              )}
            </Field>
            <Field label="Winner by">
              {({ id }) => (
                <select
                  id={id}
                  disabled={!editable}
                  value={draft.metric}
                  onChange={(event) => {
                    set('metric', event.target.value === 'clicks' ? 'clicks' : 'opens');
                  }}
                >
                  <option value="opens">Most opens</option>
                  <option value="clicks">Most clicks</option>
                </select>
              )}
            </Field>
          </div>
        </div>
      )}
      {save.error && !(save.error instanceof ApiError && Object.keys(fields).length > 0) && (
        <ErrorNotice error={save.error} title="Could not save the broadcast" />
      )}
      {editable && (
        <div className="bc-row">
          <button type="submit" className="button primary" disabled={save.isPending}>
            {broadcast ? 'Save changes' : 'Create draft'}
          </button>
          {save.isSuccess && broadcast && <span className="muted small">Saved</span>}
        </div>
      )}
    </form>
  );
}

function SendCard(props: { businessId: string; broadcast: Broadcast; zone: string }) {
  const { businessId, broadcast } = props;
  const me = useMe();
  const action = useBroadcastAction(businessId, broadcast.id);
  const test = useTestSend(businessId, broadcast.id);
  const [to, setTo] = useState('');
  const [at, setAt] = useState('');
  const [localTime, setLocalTime] = useState(broadcast.localTime);
  const testTo = to || me.data?.email || '';
  const canSchedule = broadcast.status === 'draft' || broadcast.status === 'scheduled';
  const canCancel = ['draft', 'scheduled', 'sending'].includes(broadcast.status);
  const progress = broadcast.progress;

  return (
    <section className="card stack" aria-label="Send">
      <h2>Send</h2>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          test.mutate({ to: testTo, variant: 'A' });
        }}
      >
        <Field label="Send a test to" hint="Your own address or a team member's">
          {({ id, describedBy }) => (
            <input
              id={id}
              type="email"
              aria-describedby={describedBy}
              value={testTo}
              onChange={(event) => {
                setTo(event.target.value);
              }}
            />
          )}
        </Field>
        <div className="bc-row">
          <button type="submit" className="button secondary" disabled={test.isPending || !testTo}>
            Send test
          </button>
          {test.isSuccess && (
            <span className="muted small" role="status">
              Test sent to {testTo}
            </span>
          )}
        </div>
        {test.error && <ErrorNotice error={test.error} title="The test was not sent" />}
      </form>

      {canSchedule && (
        <div className="stack">
          <Field label="Send at (your time)" hint="Leave empty to send now">
            {({ id, describedBy }) => (
              <input
                id={id}
                type="datetime-local"
                aria-describedby={describedBy}
                value={at}
                onChange={(event) => {
                  setAt(event.target.value);
                }}
              />
            )}
          </Field>
          <label className="bc-check">
            <input
              type="checkbox"
              checked={localTime}
              onChange={(event) => {
                setLocalTime(event.target.checked);
              }}
            />{' '}
            At that time in each subscriber's own time zone, when known
          </label>
          <div className="bc-row">
            <button
              type="button"
              className="button primary"
              disabled={action.isPending}
              onClick={() => {
                action.mutate({
                  kind: 'schedule',
                  localTime,
                  ...(at ? { at: new Date(at).toISOString() } : {}),
                });
              }}
            >
              {at ? 'Schedule' : 'Send now'}
            </button>
          </div>
        </div>
      )}
      {broadcast.recipientCount !== null && (
        <p className="muted small" data-testid="broadcast-recipients">
          {broadcast.recipientCount.toLocaleString()} recipients
          {broadcast.estimatedFinishAt &&
            ` · estimated to finish ${formatDateTime(broadcast.estimatedFinishAt, props.zone)}`}
        </p>
      )}
      {progress.total > 0 && (
        <ProgressBar
          value={Math.round((progress.done / progress.total) * 100)}
          label="Sending progress"
        />
      )}
      {canCancel && broadcast.status !== 'draft' && (
        <button
          type="button"
          className="button secondary"
          disabled={action.isPending}
          onClick={() => {
            action.mutate({ kind: 'cancel' });
          }}
        >
          Cancel broadcast
        </button>
      )}
      {action.error && <ErrorNotice error={action.error} title="That did not work" />}
    </section>
  );
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

function ResultsCard(props: { businessId: string; broadcast: Broadcast }) {
  const { businessId, broadcast } = props;
  const analytics = useBroadcastAnalytics(businessId, broadcast.id, true);
  const action = useBroadcastAction(businessId, broadcast.id);
  if (analytics.isPending) return <Skeleton lines={3} height={40} label="Loading results…" />;
  if (analytics.isError)
    return (
      <ErrorNotice
        error={analytics.error}
        title="Could not load the results"
        onRetry={() => void analytics.refetch()}
      />
    );
  const { totals, variants, winner, held } = analytics.data;
  const stats: [string, number, string?][] = [
    ['Sent', totals.sent],
    ['Delivered', totals.delivered],
    ['Opened', totals.opened, pct(totals.openRate)],
    ['Clicked', totals.clicked, pct(totals.clickRate)],
    ['Bounced', totals.bounced, pct(totals.bounceRate)],
    ['Unsubscribed', totals.unsubscribed, pct(totals.unsubscribeRate)],
    // Reported by mailbox providers' feedback loops (POST …/email/feedback).
    ...(totals.complained > 0
      ? [['Marked as spam', totals.complained] as [string, number, string?]]
      : []),
  ];
  return (
    <section className="card stack" aria-label="Results" data-testid="broadcast-results">
      <h2>Results</h2>
      <div className="bc-stats">
        {stats.map(([label, value, rate]) => (
          <div key={label} className="bc-stat">
            <span className="muted small">{label}</span>
            <strong>{value.toLocaleString()}</strong>
            {rate && <span className="muted small">{rate}</span>}
          </div>
        ))}
      </div>
      {broadcast.abTest && (
        <>
          <h3>A/B test</h3>
          <p className="muted small">
            {winner
              ? `Variant ${winner} won; the rest of the audience got it.`
              : `${held.toLocaleString()} recipients wait for the winner, picked by ${broadcast.abTest.metric} ${broadcast.decideAt ? formatDateTime(broadcast.decideAt) : ''}.`}
          </p>
          <div className="table-wrap">
            <table className="table" aria-label="Variants">
              <thead>
                <tr>
                  <th scope="col">Variant</th>
                  <th scope="col" className="number">
                    Sent
                  </th>
                  <th scope="col" className="number">
                    Opened
                  </th>
                  <th scope="col" className="number">
                    Clicked
                  </th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {variants.map((variant) => (
                  <tr key={variant.key} data-testid="variant-row">
                    <td>
                      <strong>{variant.key}</strong> {variant.subject}
                      {winner === variant.key && <span className="badge status-sent"> Winner</span>}
                    </td>
                    <td className="number">{variant.sent.toLocaleString()}</td>
                    <td className="number">
                      {variant.opened.toLocaleString()} ({pct(variant.openRate)})
                    </td>
                    <td className="number">
                      {variant.clicked.toLocaleString()} ({pct(variant.clickRate)})
                    </td>
                    <td>
                      {!winner && broadcast.status === 'sending' && (
                        <button
                          type="button"
                          className="button secondary small"
                          disabled={action.isPending}
                          onClick={() => {
                            action.mutate({ kind: 'winner', variant: variant.key });
                          }}
                        >
                          Send {variant.key} to the rest
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {action.error && <ErrorNotice error={action.error} title="The winner was not picked" />}
        </>
      )}
    </section>
  );
}
