// The content studio's Herald events (docs/events.md): a piece entering review, published, or
// failed for good. Each is published in the transaction that records the move, so the event
// exists exactly when the move does.
import type { HeraldEvent } from '../../platform/events.ts';
import { plainTextOf, type Platform } from './platforms.ts';
import type { RecordedOutcome } from './publish-repository.ts';

/** How much of the text a review notification shows. */
export const EXCERPT_CHARS = 280;

/** The start of the piece's text, on a word boundary where one is near. */
export function excerptOf(platform: string, body: Record<string, unknown> | null): string {
  const text = plainTextOf(platform as Platform, body ?? {})
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= EXCERPT_CHARS) return text;
  const cut = text.slice(0, EXCERPT_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > EXCERPT_CHARS / 2 ? cut.slice(0, space) : cut}…`;
}

export function contentInReviewEvent(
  piece: {
    id: string;
    businessId: string;
    campaignId: string | null;
    platform: string;
    topic: string;
    body: Record<string, unknown> | null;
  },
  /** How many times the piece has entered review, this time included. */
  entry: number,
): HeraldEvent {
  return {
    businessId: piece.businessId,
    type: 'content.in_review',
    key: `content.in_review:${piece.id}:${entry}`,
    data: {
      contentId: piece.id,
      campaignId: piece.campaignId,
      platform: piece.platform,
      title: piece.topic,
      excerpt: excerptOf(piece.platform, piece.body),
    },
  };
}

/** `url` is the piece in the dashboard (Herald does not learn where a channel shows it). */
export function contentPublishedEvent(outcome: RecordedOutcome, publicUrl: string): HeraldEvent {
  return {
    businessId: outcome.businessId,
    type: 'content.published',
    key: `content.published:${outcome.recordId}`,
    data: {
      contentId: outcome.contentId,
      campaignId: outcome.campaignId,
      platform: outcome.platform,
      publicationId: outcome.recordId,
      url: `${publicUrl}/businesses/${outcome.businessId}/content/${outcome.contentId}`,
    },
  };
}

/** A failure has no publication: `publicationId` is the final failed publish attempt's id. */
export function contentFailedEvent(outcome: RecordedOutcome, error: string): HeraldEvent {
  return {
    businessId: outcome.businessId,
    type: 'content.failed',
    key: `content.failed:${outcome.recordId}`,
    data: {
      contentId: outcome.contentId,
      campaignId: outcome.campaignId,
      platform: outcome.platform,
      publicationId: outcome.recordId,
      error,
    },
  };
}
