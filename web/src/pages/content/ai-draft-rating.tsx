// "Was the AI draft good?": thumbs up or down on a piece the AI wrote, counted per task and model
// on the AI usage page. Shown only once the piece has a generated version; the versions query is
// the one the version history already reads, so it costs no extra request.
import { ThumbsFeedback } from '../../components/thumbs-feedback';
import { type Content, useContentVersions } from '../campaigns/queries';

export function AiDraftRating({ content, canRate }: { content: Content; canRate: boolean }) {
  const versions = useContentVersions(content.businessId, content.id);
  const generated = versions.data?.items.some((version) => version.source === 'ai') ?? false;
  if (!generated) return null;
  return (
    <section className="card" aria-labelledby="ai-draft-rating-title" data-testid="ai-draft-rating">
      <h2 id="ai-draft-rating-title">Rate the AI draft</h2>
      <p className="muted small">
        Your rating is counted for the model that wrote it, on the AI usage page.
      </p>
      <ThumbsFeedback
        businessId={content.businessId}
        subjectKind="content"
        subjectId={content.id}
        canRate={canRate}
        what="the AI draft"
      />
    </section>
  );
}
