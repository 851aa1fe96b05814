// How good the AI's output is, as the business's members judge it: thumbs up or down on agent
// replies and content drafts, and for content, how much of each AI draft survived review (the
// share approved without a change, and how many characters were changed). Figures are per task,
// provider, model and prompt version, so two models or two prompts can be compared.
// Rating is for members who may run AI work (content.write); the figures for every member.
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { conflict, notFound } from '../../platform/http/errors.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import { editDistance, median } from './edit-distance.ts';
import type { AiProvenance, ChatMessageSubjects, ContentSubjects } from './ports.ts';
import { createAiUsageRepository } from './repository.ts';
import {
  type AiQuality,
  type AiQualityQuery,
  type AiQualityRow,
  type FeedbackBody,
  type FeedbackList,
  type FeedbackListQuery,
  type FeedbackSubjectKind,
  type FeedbackSubjectQuery,
  MAX_FEEDBACK_SUBJECTS,
} from './schemas.ts';

const DAY_MS = 86_400_000;

const round = (value: number, digits: number) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

interface Group extends AiProvenance {
  thumbsUp: number;
  thumbsDown: number;
  distances: number[];
}

export function createAiQualityService(deps: {
  db: Database;
  access: BusinessAccess;
  content: ContentSubjects;
  /** The agents module's messages; without it, a chat message is not found (404). */
  chatMessages?: ChatMessageSubjects | undefined;
  now?: () => Date;
}) {
  const repository = createAiUsageRepository(deps.db);
  const now = deps.now ?? (() => new Date());

  /** The subject's provenance, or NOT_FOUND when it is not the business's (CONFLICT: not AI). */
  async function subject(
    principal: Principal,
    businessId: string,
    kind: FeedbackSubjectKind,
    subjectId: string,
  ): Promise<AiProvenance> {
    const provenance =
      kind === 'content'
        ? await deps.content.provenance(businessId, subjectId)
        : await deps.chatMessages?.provenance(businessId, subjectId, principal.userId);
    const what = kind === 'content' ? 'Content' : 'Chat message';
    if (provenance === undefined) throw notFound(what);
    if (provenance === null) {
      throw conflict(
        kind === 'content'
          ? 'This piece has no AI draft to rate: the AI never wrote it'
          : 'Only replies of the agents can be rated',
        { subjectKind: kind, subjectId },
      );
    }
    return provenance;
  }

  return {
    async rate(principal: Principal, businessId: string, body: FeedbackBody): Promise<void> {
      await deps.access.require(principal, businessId, 'content.write');
      const provenance = await subject(principal, businessId, body.subjectKind, body.subjectId);
      await repository.rate({
        businessId,
        userId: principal.userId,
        subjectKind: body.subjectKind,
        subjectId: body.subjectId,
        rating: body.rating,
        provenance,
        at: now(),
      });
    },

    async unrate(
      principal: Principal,
      businessId: string,
      query: FeedbackSubjectQuery,
    ): Promise<void> {
      await deps.access.require(principal, businessId, 'content.write');
      await subject(principal, businessId, query.subjectKind, query.subjectId);
      await repository.unrate(businessId, principal.userId, query.subjectKind, query.subjectId);
    },

    /** The caller's own ratings (the dashboard's pressed buttons), latest first. */
    async ratings(
      principal: Principal,
      businessId: string,
      query: FeedbackListQuery,
    ): Promise<FeedbackList> {
      await deps.access.require(principal, businessId, 'business.read');
      const rows = await repository.ratingsOf(
        businessId,
        principal.userId,
        query,
        MAX_FEEDBACK_SUBJECTS,
      );
      return {
        items: rows.map((row) => ({
          subjectKind: row.subjectKind as FeedbackSubjectKind,
          subjectId: row.subjectId,
          rating: row.rating > 0 ? 1 : -1,
          createdAt: row.createdAt.toISOString(),
        })),
      };
    },

    async quality(
      principal: Principal,
      businessId: string,
      query: AiQualityQuery,
    ): Promise<AiQuality> {
      await deps.access.require(principal, businessId, 'business.read');
      const since = new Date(now().getTime() - query.days * DAY_MS);
      const [counts, approved] = await Promise.all([
        repository.feedbackCounts(businessId, since),
        deps.content.approvedSince(businessId, since),
      ]);
      const groups = new Map<string, Group>();
      const groupOf = (provenance: AiProvenance): Group => {
        const { task, provider, model, promptVersion } = provenance;
        const key = JSON.stringify([task, provider, model, promptVersion]);
        let group = groups.get(key);
        if (!group) {
          group = {
            task,
            provider,
            model,
            promptVersion,
            thumbsUp: 0,
            thumbsDown: 0,
            distances: [],
          };
          groups.set(key, group);
        }
        return group;
      };
      for (const row of counts) {
        const group = groupOf(row);
        group.thumbsUp += row.thumbsUp;
        group.thumbsDown += row.thumbsDown;
      }
      for (const piece of approved) {
        groupOf(piece.provenance).distances.push(editDistance(piece.draftText, piece.approvedText));
      }
      const items: AiQualityRow[] = [...groups.values()].map((group) => {
        const { distances } = group;
        const unedited = distances.filter((distance) => distance === 0).length;
        const sum = distances.reduce((total, distance) => total + distance, 0);
        return {
          task: group.task,
          provider: group.provider,
          model: group.model,
          promptVersion: group.promptVersion,
          thumbsUp: group.thumbsUp,
          thumbsDown: group.thumbsDown,
          approved: distances.length,
          approvedUnedited: unedited,
          approvedUneditedShare: distances.length ? round(unedited / distances.length, 4) : null,
          meanEditDistance: distances.length ? round(sum / distances.length, 1) : null,
          medianEditDistance: median(distances),
        };
      });
      items.sort(
        (a, b) =>
          b.thumbsUp + b.thumbsDown + b.approved - (a.thumbsUp + a.thumbsDown + a.approved) ||
          a.task.localeCompare(b.task) ||
          (a.model ?? '').localeCompare(b.model ?? ''),
      );
      return { businessId, days: query.days, since: since.toISOString(), items };
    },
  };
}

export type AiQualityService = ReturnType<typeof createAiQualityService>;
