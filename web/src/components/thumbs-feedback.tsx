// Thumbs up / thumbs down on a piece of AI output (an agent reply, a content piece's AI draft):
// pressing a thumb rates it (PUT …/ai/feedback), pressing the pressed one takes the rating back
// (DELETE). The member's own rating is read once unless the caller already has it (a chat page
// reads all its replies' ratings in one request and passes each one in).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import { keys } from '../api/queries';
import type { components } from '../api/schema';
import { ErrorNotice } from './error-notice';

export type FeedbackSubjectKind = components['schemas']['AiFeedbackBody']['subjectKind'];
type Rating = 1 | -1;

export const feedbackKey = (businessId: string, kind: FeedbackSubjectKind, subjectId: string) =>
  [...keys.business(businessId), 'ai-feedback', kind, subjectId] as const;

export function ThumbsFeedback(props: {
  businessId: string;
  subjectKind: FeedbackSubjectKind;
  subjectId: string;
  /** The member's rating when the caller has read it; undefined: read it here. */
  rating?: Rating | null;
  /** False for members who may not rate (viewers): the buttons show the rating, disabled. */
  canRate?: boolean;
  /** What is rated, for screen readers: "this reply", "the AI draft". */
  what?: string;
}) {
  const { businessId, subjectKind, subjectId } = props;
  const api = useApi();
  const queryClient = useQueryClient();
  const key = feedbackKey(businessId, subjectKind, subjectId);
  const given = props.rating;
  const stored = useQuery({
    queryKey: key,
    enabled: given === undefined,
    queryFn: async ({ signal }) => {
      const list = await unwrap(
        api.GET('/api/v1/businesses/{businessId}/ai/feedback', {
          params: { path: { businessId }, query: { subjectKind, subjectIds: subjectId } },
          signal,
        }),
      );
      const rating: Rating | null =
        list.items.find((item) => item.subjectId === subjectId)?.rating ?? null;
      return rating;
    },
  });
  const save = useMutation({
    mutationFn: async (next: Rating | null) => {
      if (next === null) {
        await unwrap(
          api.DELETE('/api/v1/businesses/{businessId}/ai/feedback', {
            params: { path: { businessId }, query: { subjectKind, subjectId } },
          }),
        );
      } else {
        await unwrap(
          api.PUT('/api/v1/businesses/{businessId}/ai/feedback', {
            params: { path: { businessId } },
            body: { subjectKind, subjectId, rating: next },
          }),
        );
      }
      return next;
    },
    onSuccess: (next) => {
      queryClient.setQueryData(key, next);
    },
  });

  // While a change is on its way, show it pressed; a failure shows the stored rating again. A
  // saved change lands in the query's data (null: no rating), which wins over the prop.
  const current: Rating | null = save.isPending
    ? (save.variables ?? null)
    : stored.data !== undefined
      ? stored.data
      : (given ?? null);
  const loading = given === undefined && stored.isPending;
  const disabled = props.canRate === false || loading || save.isPending;
  const what = props.what ?? 'this';
  const press = (rating: Rating) => {
    save.mutate(current === rating ? null : rating);
  };

  return (
    <div className="thumbs-feedback" data-testid="thumbs-feedback">
      <div className="chips" role="group" aria-label={`Rate ${what}`}>
        <button
          type="button"
          className={current === 1 ? 'chip on' : 'chip'}
          aria-pressed={current === 1}
          aria-label={`Good: thumbs up for ${what}`}
          title="Good"
          disabled={disabled}
          onClick={() => {
            press(1);
          }}
        >
          👍
        </button>
        <button
          type="button"
          className={current === -1 ? 'chip on' : 'chip'}
          aria-pressed={current === -1}
          aria-label={`Not good: thumbs down for ${what}`}
          title="Not good"
          disabled={disabled}
          onClick={() => {
            press(-1);
          }}
        >
          👎
        </button>
      </div>
      {save.isError && (
        <ErrorNotice
          error={save.error}
          title="Your rating was not saved"
          onRetry={() => {
            save.mutate(save.variables ?? null);
          }}
        />
      )}
    </div>
  );
}
