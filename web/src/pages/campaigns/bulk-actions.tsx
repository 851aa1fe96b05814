// Working on a campaign's pieces in bulk: "Write all drafts" starts the job that writes every
// placeholder still without text and shows its progress ("3 of 12 pieces"), the calendar filling
// in as it goes; the checklist below approves or schedules the pieces ticked, each by the same
// rules as on its own page, and says which ones could not be changed and why. Approving is
// offered to approvers only; a member who cannot write sees neither.
import './bulk-actions.css';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type SubmitEvent, useEffect, useState } from 'react';
import { Link } from 'react-router';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { type Business, isFinished, keys } from '../../api/queries';
import { ErrorNotice } from '../../components/error-notice';
import { JobProgress, useRunningJob } from '../../components/job-progress';
import { Field, StatusBadge } from '../../components/ui';
import { can, refusalMessage } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { defaultPublishTime, isPast } from '../content/zoned-time';
import { formatDay } from './campaigns-page';
import { isPlaceholder } from './content-calendar';
import {
  type Campaign,
  campaignKeys,
  type Content,
  platformLabel,
  useCampaignContent,
} from './queries';

/** The job kind that writes every empty placeholder of a campaign (the server's WRITE_ALL_JOB). */
export const WRITE_ALL_JOB = 'ai.campaign-drafts';

interface WriteAllResult {
  written?: string[];
  failed?: { contentId: string; message: string }[];
}

type BulkRequest =
  { action: 'approve'; ids: string[] } | { action: 'schedule'; ids: string[]; publishAt: string };

export function BulkActions({ campaign }: { campaign: Campaign }) {
  const business = useScopedBusiness();
  const contents = useCampaignContent(campaign.businessId, campaign.id);
  if (!can(business, 'content.write')) return null;
  // The calendar above or beside says why the list is not there (loading, error, empty).
  if (!contents.data || contents.data.items.length === 0) return null;
  return <BulkPanel campaign={campaign} pieces={contents.data.items} />;
}

function BulkPanel({ campaign, pieces }: { campaign: Campaign; pieces: Content[] }) {
  const business = useScopedBusiness();
  const queryClient = useQueryClient();
  const refreshPieces = () => {
    void queryClient.invalidateQueries({
      queryKey: campaignKeys.contentOf(campaign.businessId, campaign.id),
    });
    void queryClient.invalidateQueries({ queryKey: campaignKeys.all(campaign.businessId) });
  };
  return (
    <section className="card bulk-panel" aria-labelledby="bulk-title" data-testid="bulk-panel">
      <h2 id="bulk-title">Write and review in bulk</h2>
      <WriteAll campaign={campaign} pieces={pieces} onProgress={refreshPieces} />
      <Checklist business={business} pieces={pieces} onChanged={refreshPieces} />
    </section>
  );
}

function WriteAll(props: { campaign: Campaign; pieces: Content[]; onProgress: () => void }) {
  const { campaign, onProgress } = props;
  const api = useApi();
  const queryClient = useQueryClient();
  const { job, error, follow } = useRunningJob(campaign.businessId, WRITE_ALL_JOB, campaign.id);
  const running = job !== null && !isFinished(job);
  const empty = props.pieces.filter(
    (piece) => isPlaceholder(piece) && piece.status === 'draft',
  ).length;

  // Each piece written is a step of the job: the list shows its text as soon as it is saved.
  const step = job ? `${job.id}:${job.status}:${job.progressMessage ?? ''}` : null;
  useEffect(() => {
    if (step) onProgress(); // on each step only: onProgress is a new function every render
  }, [step]);

  const start = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/campaigns/{campaignId}/contents/generate-all', {
          params: { path: { businessId: campaign.businessId, campaignId: campaign.id } },
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: (accepted) => {
      follow(accepted.job.id);
      void queryClient.invalidateQueries({ queryKey: keys.jobs(campaign.businessId) });
    },
  });

  const result = job?.status === 'succeeded' ? (job.result as WriteAllResult | null) : null;
  const failed = result?.failed ?? [];
  const topicOf = (id: string) =>
    props.pieces.find((piece) => piece.id === id)?.topic || 'Untitled piece';

  return (
    <div className="bulk-write">
      <div className="form-actions">
        <button
          type="button"
          className="button primary"
          disabled={running || start.isPending || empty === 0}
          onClick={() => {
            start.mutate();
          }}
        >
          {start.isPending ? 'Starting…' : running ? 'Writing drafts…' : 'Write all drafts'}
        </button>
        <span className="muted small" data-testid="empty-count">
          {empty === 0
            ? 'Every piece has its text.'
            : `${empty} ${empty === 1 ? 'piece has' : 'pieces have'} no text yet; the AI writes each in your brand voice.`}
        </span>
      </div>
      {start.isError && <ErrorNotice error={start.error} title="Could not start writing" />}
      <JobProgress
        job={job}
        error={error}
        label="Writing the drafts"
        failedTitle="Writing the drafts stopped"
        onRetry={() => {
          start.mutate();
        }}
      />
      {result && (
        <div
          className={`notice ${failed.length > 0 ? 'warning' : 'info'}`}
          role="status"
          data-testid="write-all-result"
        >
          <p>
            {(result.written ?? []).length}{' '}
            {(result.written ?? []).length === 1 ? 'piece' : 'pieces'} written.
            {failed.length > 0 &&
              ` ${failed.length} could not be written; open ${failed.length === 1 ? 'it' : 'them'} to try again:`}
          </p>
          {failed.length > 0 && (
            <ul>
              {failed.map((failure) => (
                <li key={failure.contentId}>
                  <Link to={`/businesses/${campaign.businessId}/content/${failure.contentId}`}>
                    {topicOf(failure.contentId)}
                  </Link>{' '}
                  — {failure.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

interface Outcome {
  action: BulkRequest['action'];
  done: number;
  refused: { id: string; message: string }[];
}

function Checklist(props: { business: Business; pieces: Content[]; onChanged: () => void }) {
  const { business, pieces, onChanged } = props;
  const api = useApi();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [open, setOpen] = useState(false);
  const [scheduling, setScheduling] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const chosen = pieces.filter((piece) => selected.has(piece.id));
  const sorted = [...pieces].sort(
    (a, b) =>
      (a.plannedDate ?? '9999').localeCompare(b.plannedDate ?? '9999') ||
      a.platform.localeCompare(b.platform),
  );

  const approves = can(business, 'content.approve');
  const apply = useMutation({
    mutationFn: (body: BulkRequest) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/contents/bulk', {
          params: { path: { businessId: business.id } },
          body,
        }),
      ),
    onSuccess: (answer, body) => {
      const refused = answer.items
        .filter((item) => !item.ok)
        .map((item) => ({ id: item.id, message: item.error?.message ?? 'Not changed' }));
      setOutcome({ action: body.action, done: answer.items.length - refused.length, refused });
      setSelected(new Set(refused.map((item) => item.id)));
      setScheduling(false);
    },
    onSettled: onChanged,
  });

  const toggle = (id: string, on: boolean) => {
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };
  const allOn = selected.size === pieces.length;
  const topicOf = (id: string) =>
    pieces.find((piece) => piece.id === id)?.topic || 'Untitled piece';

  return (
    <details
      className="bulk-checklist"
      open={open}
      onToggle={(event) => {
        setOpen(event.currentTarget.open);
      }}
    >
      <summary>
        {approves ? 'Approve or schedule' : 'Schedule'} several pieces ({pieces.length})
      </summary>
      <div className="bulk-toolbar">
        <label className="bulk-check">
          <input
            type="checkbox"
            checked={allOn}
            onChange={(event) => {
              setSelected(new Set(event.target.checked ? pieces.map((piece) => piece.id) : []));
            }}
          />
          Select all
        </label>
        <span className="muted small" aria-live="polite">
          {selected.size} selected
        </span>
        {approves && (
          <button
            type="button"
            className="button secondary"
            disabled={selected.size === 0 || apply.isPending}
            onClick={() => {
              apply.mutate({ action: 'approve', ids: [...selected] });
            }}
          >
            Approve selected
          </button>
        )}
        <button
          type="button"
          className="button secondary"
          aria-expanded={scheduling}
          disabled={selected.size === 0 || apply.isPending}
          onClick={() => {
            setScheduling((open) => !open);
          }}
        >
          Schedule selected…
        </button>
      </div>
      {scheduling && selected.size > 0 && (
        <BulkScheduleForm
          business={business}
          firstPlannedDate={
            chosen
              .map((piece) => piece.plannedDate)
              .filter((day): day is string => Boolean(day))
              .sort()[0] ?? null
          }
          count={selected.size}
          pending={apply.isPending}
          onCancel={() => {
            setScheduling(false);
          }}
          onSchedule={(publishAt) => {
            apply.mutate({ action: 'schedule', ids: [...selected], publishAt });
          }}
        />
      )}
      {apply.isError &&
        (refusalMessage(apply.error) ? (
          <div className="notice warning" role="alert" data-testid="bulk-forbidden">
            <strong className="notice-title">Nothing was changed</strong>
            <p>{refusalMessage(apply.error)}</p>
          </div>
        ) : (
          <ErrorNotice error={apply.error} title="Nothing was changed" />
        ))}
      {outcome && (
        <div
          className={`notice ${outcome.refused.length > 0 ? 'warning' : 'info'}`}
          role="status"
          data-testid="bulk-outcome"
        >
          <p>
            {outcome.done} {outcome.done === 1 ? 'piece' : 'pieces'}{' '}
            {outcome.action === 'approve' ? 'approved' : 'scheduled'}.
            {outcome.refused.length > 0 &&
              ` ${outcome.refused.length} not changed (still selected):`}
          </p>
          {outcome.refused.length > 0 && (
            <ul>
              {outcome.refused.map((item) => (
                <li key={item.id}>
                  {topicOf(item.id)} — {item.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <ul className="bulk-list" aria-label="Pieces of this campaign">
        {sorted.map((piece) => (
          <li
            key={piece.id}
            className="bulk-item"
            data-testid="bulk-item"
            data-status={piece.status}
          >
            <label className="bulk-check">
              <input
                type="checkbox"
                checked={selected.has(piece.id)}
                onChange={(event) => {
                  toggle(piece.id, event.target.checked);
                }}
              />
              <span className="visually-hidden">Select </span>
              <span className="bulk-topic">{piece.topic || '(no topic)'}</span>
            </label>
            <span className="bulk-meta">
              <span className={`platform-tag platform-${piece.platform}`}>
                {platformLabel(piece.platform)}
              </span>
              <span className="muted small">{formatDay(piece.plannedDate)}</span>
              {isPlaceholder(piece) && <span className="badge placeholder-badge">no text yet</span>}
              <StatusBadge status={piece.status} />
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** The time for every selected piece, offered like the single schedule form: 09:00 on the day. */
function BulkScheduleForm(props: {
  business: Business;
  firstPlannedDate: string | null;
  count: number;
  pending: boolean;
  onCancel: () => void;
  onSchedule: (publishAt: string) => void;
}) {
  const { timezone } = props.business;
  const [publishAt, setPublishAt] = useState(() =>
    defaultPublishTime(timezone, props.firstPlannedDate),
  );
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(publishAt)) {
      setProblem('Choose a date and a time');
      return;
    }
    setProblem(null);
    props.onSchedule(publishAt);
  };
  const past = isPast(publishAt, timezone);
  return (
    <form className="schedule-form" onSubmit={submit} aria-label="Schedule selected" noValidate>
      <Field
        label="Publish at"
        error={problem ?? undefined}
        hint={
          <>
            In the business’s time zone, <strong>{timezone}</strong>. Only approved pieces can be
            scheduled.
            {past && ' This time has passed: the pieces would be published right away.'}
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
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={props.pending}>
          {past ? `Publish ${props.count} now` : `Schedule ${props.count}`}
        </button>
        <button type="button" className="button secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
