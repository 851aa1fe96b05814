// "Draft with AI" for A/B variants: asks the AI layer (POST …/email/variants/draft) for
// variants of an email and hands them to the editor, which decides where they go. Made to be
// dropped next to any variant editor (broadcasts today, sequence steps later): it owns only the
// request, its loading and error states and a note on who drafted them.
import { useMutation } from '@tanstack/react-query';

import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { components } from '../api/schema';
import { ErrorNotice } from './error-notice';

export type DraftedVariant = components['schemas']['DraftedVariants']['variants'][number];
type DraftRequest = components['schemas']['DraftVariantsBody'];

export interface DraftVariantsButtonProps {
  businessId: string;
  /** The variant the others are drafted from (usually the first). */
  subject: string;
  body?: string | undefined;
  count: DraftRequest['count'];
  vary: DraftRequest['vary'];
  goal?: string | undefined;
  onDrafted: (variants: DraftedVariant[]) => void;
  disabled?: boolean | undefined;
}

export function DraftVariantsButton(props: DraftVariantsButtonProps) {
  const { businessId, subject, body, count, vary, goal, onDrafted } = props;
  const api = useApi();
  const draft = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/email/variants/draft', {
          params: { path: { businessId } },
          body: {
            subject,
            count,
            vary,
            ...(body?.trim() ? { body } : {}),
            ...(goal?.trim() ? { goal } : {}),
          },
        }),
      ),
    onSuccess: (result) => {
      onDrafted(result.variants);
    },
  });
  const missing =
    subject.trim() === ''
      ? 'Write the first subject to draft from'
      : vary !== 'subject' && !body?.trim()
        ? 'Write the body to draft from'
        : undefined;
  const by = draft.data?.generatedBy;
  return (
    <div className="draft-variants stack" data-testid="draft-variants">
      <div className="draft-variants-row">
        <button
          type="button"
          className="button secondary"
          disabled={props.disabled === true || missing !== undefined || draft.isPending}
          aria-busy={draft.isPending}
          title={missing}
          onClick={() => {
            draft.mutate();
          }}
        >
          {draft.isPending ? 'Drafting…' : 'Draft with AI'}
        </button>
        {by && !draft.isPending && (
          <span className="muted small" role="status">
            {by.provider === 'builtin'
              ? 'Drafted by Herald’s built-in templates (no AI provider configured): edit before sending'
              : `Drafted by ${by.model}: edit before sending`}
          </span>
        )}
      </div>
      {draft.isError && (
        <ErrorNotice
          error={draft.error}
          title="Could not draft variants"
          onRetry={() => {
            draft.mutate();
          }}
        />
      )}
    </div>
  );
}
