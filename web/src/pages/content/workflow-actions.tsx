// Moving a piece through review: submit, approve, send back, schedule, unschedule, archive —
// only the moves the member's role allows are offered. The page shows the new status at once;
// when the server refuses (409: someone else moved it, or the move is not allowed from where it
// really is; 403: the role changed meanwhile) the status goes back and the page says why.
import { useQueryClient } from '@tanstack/react-query';
import { type SubmitEvent, useState } from 'react';
import { Link } from 'react-router';

import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { ApiError } from '../../api/errors';
import { type Business, keys } from '../../api/queries';
import { ErrorNotice } from '../../components/error-notice';
import { Field } from '../../components/ui';
import { can, refusalMessage } from '../../state/business-permissions';
import { useOptimisticMutation } from '../../state/optimistic';
import { campaignKeys, channelLabel, type Content } from '../campaigns/queries';
import { type Move, offeredActions } from './workflow-moves';
import { defaultPublishTime, formatInZone, isPast, wallClockIn } from './zoned-time';

type Change = { kind: 'status'; status: Move } | { kind: 'schedule'; publishAt: string };

export function WorkflowActions(props: { content: Content; business: Business; hasText: boolean }) {
  const { content, business } = props;
  const api = useApi();
  const queryClient = useQueryClient();
  const path = { businessId: content.businessId, contentId: content.id };
  const change = useOptimisticMutation<Content, Change>({
    queryKey: campaignKeys.content(content.businessId, content.id),
    mutationFn: (variables) =>
      variables.kind === 'status'
        ? unwrap(
            api.POST('/api/v1/businesses/{businessId}/contents/{contentId}/status', {
              params: { path },
              body: { status: variables.status },
            }),
          )
        : unwrap(
            api.POST('/api/v1/businesses/{businessId}/contents/{contentId}/schedule', {
              params: { path },
              body: { publishAt: variables.publishAt },
            }),
          ),
    apply: (current, variables) =>
      variables.kind === 'status'
        ? { ...current, status: variables.status }
        : { ...current, status: 'scheduled' },
  });
  const settled = () =>
    void queryClient.invalidateQueries({
      queryKey: keys.content(content.businessId),
    });

  const run = (variables: Change) => {
    change.mutate(variables, {
      onSettled: settled,
      // A refusal may mean the role changed: show the buttons the role has now.
      onError: (error) => {
        if (refusalMessage(error)) {
          void queryClient.invalidateQueries({ queryKey: keys.business(business.id) });
        }
      },
    });
  };
  const writes = can(business, 'content.write');
  const actions = offeredActions(content.status, business.permissions);
  const canSchedule = writes && (content.status === 'approved' || content.status === 'failed');
  const refusal =
    change.error instanceof ApiError && change.error.status === 409 ? change.error : null;
  const forbidden = refusalMessage(change.error);

  return (
    <section className="card" aria-labelledby="workflow-title" data-testid="workflow">
      <h2 id="workflow-title">Review and publishing</h2>
      {!writes && (
        <p className="muted" data-testid="read-only-note">
          Your role can see this piece but not change it.
        </p>
      )}
      {writes && content.status === 'in_review' && !can(business, 'content.approve') && (
        <p className="muted small" data-testid="awaiting-approval">
          Waiting for approval: an owner, an admin or an approver of this business approves it.
        </p>
      )}
      <div className="form-actions">
        {actions.map((action) => (
          <button
            key={action.to}
            type="button"
            className={`button ${action.primary ? 'primary' : 'secondary'}`}
            disabled={change.isPending || (action.to === 'in_review' && !props.hasText)}
            onClick={() => {
              run({ kind: 'status', status: action.to });
            }}
          >
            {action.label}
          </button>
        ))}
      </div>
      {writes && content.status === 'draft' && !props.hasText && (
        <p className="muted small">Write or generate the text before submitting it for review.</p>
      )}
      {content.status === 'scheduled' && (
        <p data-testid="scheduled-for">
          Scheduled for <strong>{formatInZone(content.publishAt, business.timezone)}</strong> —
          channel: {channelLabel(content.channel)}.
        </p>
      )}
      {content.status === 'published' && (
        <p data-testid="published-at">
          Published <strong>{formatInZone(content.publishedAt, business.timezone)}</strong> —
          channel: {channelLabel(content.channel)}.{' '}
          <Link to={`/businesses/${content.businessId}/outbox`}>
            See it with every published piece in the Outbox
          </Link>
          .
        </p>
      )}
      {canSchedule && (
        <ScheduleForm
          timezone={business.timezone}
          plannedDate={content.plannedDate}
          pending={change.isPending}
          error={
            change.error instanceof ApiError && ![403, 409].includes(change.error.status)
              ? change.error
              : null
          }
          onSchedule={(publishAt) => {
            run({ kind: 'schedule', publishAt });
          }}
        />
      )}
      {refusal && (
        <div className="notice warning" role="alert" data-testid="workflow-refused">
          <strong className="notice-title">The status was not changed</strong>
          <p>{refusal.message}. The page shows the piece as it is now.</p>
        </div>
      )}
      {forbidden && (
        <div className="notice warning" role="alert" data-testid="workflow-forbidden">
          <strong className="notice-title">The status was not changed</strong>
          <p>{forbidden}</p>
        </div>
      )}
      {change.isError &&
        !(change.error instanceof ApiError && [400, 403, 409].includes(change.error.status)) && (
          <ErrorNotice error={change.error} title="The status was not changed" />
        )}
    </section>
  );
}

/**
 * The publish time, offered on the piece's planned day. A time already past would publish at
 * once, so the form asks first ("publish now?") instead of doing it on a slip of the date.
 */
function ScheduleForm(props: {
  timezone: string;
  plannedDate: string | null;
  pending: boolean;
  error: ApiError | null;
  onSchedule: (publishAt: string) => void;
}) {
  const [publishAt, setPublishAt] = useState(() =>
    defaultPublishTime(props.timezone, props.plannedDate),
  );
  const [problem, setProblem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const serverProblem = props.error?.fieldErrors().publishAt ?? props.error?.message;
  function submit(event: SubmitEvent) {
    event.preventDefault();
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(publishAt)) {
      setProblem('Choose a date and a time');
      return;
    }
    setProblem(null);
    if (isPast(publishAt, props.timezone)) {
      setConfirming(true);
      return;
    }
    props.onSchedule(publishAt);
  }
  if (confirming) {
    return (
      <div
        className="notice warning"
        role="alertdialog"
        aria-labelledby="publish-now-title"
        aria-describedby="publish-now-text"
        data-testid="publish-now-confirm"
      >
        <strong id="publish-now-title" className="notice-title">
          That time has passed: publish now?
        </strong>
        <p id="publish-now-text">
          {wallClockLabel(publishAt)} ({props.timezone}) is already past, so the piece would be
          published right away.
        </p>
        <div className="form-actions">
          <button
            type="button"
            className="button primary"
            disabled={props.pending}
            onClick={() => {
              setConfirming(false);
              props.onSchedule(wallClockIn(props.timezone, new Date()));
            }}
          >
            Publish now
          </button>
          <button
            type="button"
            className="button secondary"
            autoFocus
            onClick={() => {
              setConfirming(false);
            }}
          >
            Choose another time
          </button>
        </div>
      </div>
    );
  }
  return (
    <form className="schedule-form" onSubmit={submit} aria-label="Schedule" noValidate>
      <Field
        label="Publish at"
        error={problem ?? serverProblem}
        hint={
          <>
            In the business’s time zone, <strong>{props.timezone}</strong>
            {isPast(publishAt, props.timezone) && ' — this time has already passed'}
          </>
        }
      >
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            type="datetime-local"
            value={publishAt}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(event) => {
              setPublishAt(event.target.value);
            }}
          />
        )}
      </Field>
      <button type="submit" className="button primary" disabled={props.pending}>
        Schedule
      </button>
    </form>
  );
}

/** A `YYYY-MM-DDTHH:mm` wall-clock time as words ("Nov 30, 2026, 4:31 AM"), zone left aside. */
function wallClockLabel(local: string): string {
  return new Date(`${local}:00Z`).toLocaleString(undefined, {
    timeZone: 'UTC',
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}
