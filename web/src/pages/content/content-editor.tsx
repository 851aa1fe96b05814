// The content editor: one piece's text with its platform preview and character counters, the
// "Generate" AI job (followed live, picked up again after a reload), saving an edit as a new
// version, the review workflow and scheduling, the review trail (who moved it, when), the version
// history and the publishing history. A member who cannot write sees the piece read-only.
import '../campaigns/campaigns.css';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type SubmitEvent, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { ApiError } from '../../api/errors';
import { isFinished, keys } from '../../api/queries';
import { ErrorNotice, LoadFailure } from '../../components/error-notice';
import { JobProgress, useTrackedJob } from '../../components/job-progress';
import { PageHeader, Skeleton, StatusBadge } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { formatDay } from '../campaigns/campaigns-page';
import { campaignKeys, type Content, platformLabel, useContent } from '../campaigns/queries';
import { AiDraftRating } from './ai-draft-rating';
import { BodyEditor } from './body-editor';
import { type Body, bodyProblems, emptyBody } from './platform-fields';
import { PlatformPreview } from './platform-preview';
import { PublishingHistory } from './publishing-history';
import { ReviewTrail } from './review-trail';
import { VersionHistory } from './version-history';
import { WorkflowActions } from './workflow-actions';

export function ContentEditorPage() {
  const business = useScopedBusiness();
  const { contentId = '' } = useParams();
  const content = useContent(business.id, contentId);
  useDocumentTitle(content.data ? pieceTitle(content.data) : 'Content', business.name);

  if (content.isPending) return <Skeleton lines={8} height={28} label="Loading the piece…" />;
  if (content.isError) {
    return (
      <LoadFailure
        error={content.error}
        notFoundTitle="Content not found"
        back={{ label: 'See the campaigns', to: `/businesses/${business.id}/campaigns` }}
        errorTitle="Could not load this piece"
        onRetry={() => void content.refetch()}
      >
        <p>It may have been deleted with its campaign.</p>
      </LoadFailure>
    );
  }
  return <ContentStudio content={content.data} />;
}

/** The piece's name: its topic, or its platform and type while it has none. */
function pieceTitle(content: Content): string {
  return content.topic || `${platformLabel(content.platform)} ${content.contentType}`;
}

function ContentStudio({ content }: { content: Content }) {
  const business = useScopedBusiness();
  const api = useApi();
  const queryClient = useQueryClient();
  const tracked = useTrackedJob(`herald.job.content.${content.id}`);
  const { job } = tracked;
  const generating = job !== null && !isFinished(job);

  // A finished generation is a new version of the text.
  const finishedId = job && isFinished(job) ? job.id : null;
  useEffect(() => {
    if (!finishedId) return;
    void queryClient.invalidateQueries({ queryKey: keys.content(content.businessId) });
  }, [finishedId, queryClient, content.businessId]);

  // The worker publishes while the page watches: lists showing this piece must follow, and so
  // must its campaign (its progress counts, its status once a piece is scheduled).
  const { businessId, campaignId, status } = content;
  useEffect(() => {
    if (!campaignId) return;
    void queryClient.invalidateQueries({
      queryKey: campaignKeys.contentOf(businessId, campaignId),
    });
    void queryClient.invalidateQueries({ queryKey: campaignKeys.all(businessId), exact: true });
    void queryClient.invalidateQueries({
      queryKey: campaignKeys.one(businessId, campaignId),
      exact: true,
    });
  }, [queryClient, businessId, campaignId, status]);

  const start = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/contents/{contentId}/generate', {
          params: { path: { businessId: content.businessId, contentId: content.id } },
          body: {},
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: (accepted) => {
      tracked.follow(accepted.job.id);
    },
  });
  const generate = () => {
    start.mutate();
  };

  const writes = can(business, 'content.write');
  const locked = content.status === 'published' || content.status === 'archived';
  const campaignLink = content.campaignId
    ? `/businesses/${business.id}/campaigns/${content.campaignId}/calendar`
    : null;

  return (
    <>
      {campaignLink && (
        <p className="breadcrumb">
          <Link to={campaignLink}>Campaign calendar</Link>
        </p>
      )}
      <PageHeader
        title={pieceTitle(content)}
        description={
          <>
            <StatusBadge status={content.status} /> {platformLabel(content.platform)} ·{' '}
            {content.contentType} · planned for {formatDay(content.plannedDate)}
            {content.callToAction && <> · Call to action: {content.callToAction}</>}
          </>
        }
        actions={
          writes &&
          !locked &&
          !generating && (
            <button
              type="button"
              className="button primary"
              disabled={start.isPending}
              onClick={generate}
            >
              {start.isPending
                ? 'Starting…'
                : content.currentVersion > 0
                  ? 'Generate again'
                  : 'Generate'}
            </button>
          )
        }
      />
      {start.isError && (
        <ErrorNotice
          error={start.error}
          title="The generation could not start"
          onRetry={generate}
        />
      )}
      <JobProgress
        job={job}
        error={tracked.error}
        label="Content generation progress"
        failedTitle="The AI could not write this piece"
        onRetry={generate}
      />
      <div className="studio">
        <TextEditor
          key={`${content.id}-${content.currentVersion}`}
          content={content}
          disabled={locked || generating}
          readOnly={!writes}
        />
        <div className="stack studio-side">
          <WorkflowActions
            content={content}
            business={business}
            hasText={content.currentVersion > 0}
          />
          <AiDraftRating content={content} canRate={writes} />
          <ReviewTrail content={content} />
          <PublishingHistory content={content} business={business} />
          <VersionHistory content={content} canRestore={writes} />
        </div>
      </div>
    </>
  );
}

/** The editable text and its preview; remounted for each new version of the text. */
function TextEditor(props: { content: Content; disabled: boolean; readOnly: boolean }) {
  const { content, readOnly } = props;
  const disabled = props.disabled || readOnly;
  const api = useApi();
  const queryClient = useQueryClient();
  const [body, setBody] = useState<Body>(() => content.body ?? emptyBody(content.platform));
  const [dirty, setDirty] = useState(false);
  const save = useMutation({
    mutationFn: (next: Body) =>
      unwrap(
        api.PATCH('/api/v1/businesses/{businessId}/contents/{contentId}', {
          params: { path: { businessId: content.businessId, contentId: content.id } },
          body: { body: next },
        }),
      ),
    onSuccess: (updated) => {
      queryClient.setQueryData(campaignKeys.content(content.businessId, content.id), updated);
      return queryClient.invalidateQueries({ queryKey: keys.content(content.businessId) });
    },
  });
  const problems = bodyProblems(content.platform, body);
  const serverProblems = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const shown = dirty || content.body !== null ? { ...serverProblems, ...problems } : {};
  const backToDraft = ['approved', 'scheduled', 'failed'].includes(content.status);

  function submit(event: SubmitEvent) {
    event.preventDefault();
    if (Object.keys(problems).length > 0) return;
    save.mutate(body);
  }

  return (
    <div className="stack studio-main">
      <form
        className="card form"
        onSubmit={submit}
        aria-labelledby="text-title"
        data-testid="editor"
      >
        <h2 id="text-title">Text</h2>
        {content.body === null && !dirty && !readOnly && (
          <p className="notice info" role="status" data-testid="placeholder-note">
            A placeholder from the strategy. Generate it, or write it yourself.
          </p>
        )}
        <BodyEditor
          platform={content.platform}
          body={body}
          problems={shown}
          disabled={disabled}
          onChange={(next) => {
            setBody(next);
            setDirty(true);
          }}
        />
        {save.isError && Object.keys(serverProblems).length === 0 && (
          <ErrorNotice error={save.error} title="The text was not saved" />
        )}
        {backToDraft && dirty && (
          <p className="muted small">Saving an edit sends the piece back to draft for review.</p>
        )}
        {!readOnly && (
          <div className="form-actions">
            <button
              type="submit"
              className="button primary"
              disabled={disabled || !dirty || save.isPending || Object.keys(problems).length > 0}
            >
              {save.isPending ? 'Saving…' : 'Save as a new version'}
            </button>
            {dirty && (
              <button
                type="button"
                className="button secondary"
                onClick={() => {
                  setBody(content.body ?? emptyBody(content.platform));
                  setDirty(false);
                  save.reset();
                }}
              >
                Discard changes
              </button>
            )}
          </div>
        )}
      </form>
      <PlatformPreview platform={content.platform} body={body} />
    </div>
  );
}
