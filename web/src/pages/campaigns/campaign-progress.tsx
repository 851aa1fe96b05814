// How far a campaign's pieces have come, from the counts the campaign API answers with: a bar
// (published, scheduled, approved, in review, written, still to write) and the same counts in
// words. `written` counts every piece with text; the others count pieces in that status now.
import { Link } from 'react-router';

import type { Campaign } from './queries';

export function CampaignProgressSummary({
  campaign,
  compact = false,
}: {
  campaign: Campaign;
  /** On a campaign card: no link to the calendar. */
  compact?: boolean;
}) {
  const progress = campaign.progress;
  const { total, written, inReview, approved, scheduled, published, failed } = progress;
  if (total === 0) {
    return (
      <span className="muted small" data-testid="campaign-progress" data-total="0">
        No pieces yet
        {!compact &&
          ' — generate the strategy and its calendar turns into pieces to write and review.'}
      </span>
    );
  }
  const further = inReview + approved + scheduled + published + failed;
  const segments = [
    { key: 'published', count: published },
    { key: 'scheduled', count: scheduled },
    { key: 'approved', count: approved },
    { key: 'in-review', count: inReview },
    { key: 'failed', count: failed },
    { key: 'written', count: Math.max(0, written - further) },
  ];
  const words = [
    `${total} ${total === 1 ? 'piece' : 'pieces'}`,
    `${written} written`,
    ...(inReview > 0 ? [`${inReview} in review`] : []),
    `${approved} approved`,
    `${scheduled} scheduled`,
    `${published} published`,
    ...(failed > 0 ? [`${failed} failed`] : []),
  ];
  return (
    <div
      className="campaign-progress"
      data-testid="campaign-progress"
      data-total={total}
      data-written={written}
      data-approved={approved}
      data-scheduled={scheduled}
      data-published={published}
    >
      <div className="piece-bar" aria-hidden="true">
        {segments
          .filter((segment) => segment.count > 0)
          .map((segment) => (
            <span
              key={segment.key}
              className={`piece-bar-${segment.key}`}
              style={{ width: `${(segment.count / total) * 100}%` }}
            />
          ))}
      </div>
      <span className="small">
        {words.join(' · ')}
        {!compact && (
          <>
            {' '}
            <Link to={`/businesses/${campaign.businessId}/campaigns/${campaign.id}/calendar`}>
              See the pieces
            </Link>
          </>
        )}
      </span>
    </div>
  );
}
