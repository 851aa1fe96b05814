// An email step's A/B test, under the step in the sequence editor: 2–4 variants of its subject
// and/or body (a part left empty is the step's own), how the winner is picked, and the results
// per variant with counts. While the test runs, each subscriber reaching the step gets one
// variant; when the wait ends the winner is picked and every later email is the winner. The
// rule is the server's (docs/sequences.md); this page shows it and lets a member pick by hand.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type SubmitEvent, useId, useState } from 'react';

import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { ApiError } from '../../api/errors';
import type { components, paths } from '../../api/schema';
import { DraftVariantsButton } from '../../components/draft-variants-button';
import { ErrorNotice } from '../../components/error-notice';
import { Field, formatDateTime, Skeleton } from '../../components/ui';
import { sequenceKeys } from './sequence-queries';

type Step = components['schemas']['SequenceStep'];
type AbResults = components['schemas']['StepAbResults'];
type VariantKey = AbResults['variants'][number]['key'];
type StepPatch = NonNullable<
  paths['/api/v1/businesses/{businessId}/sequences/{sequenceId}/steps/{stepId}']['patch']['requestBody']
>['content']['application/json'];

const KEYS: VariantKey[] = ['A', 'B', 'C', 'D'];

interface VariantDraft {
  subject: string;
  markdown: string;
  /** A body written in HTML (through the API): kept as it is unless Markdown replaces it. */
  html: string | null;
}

interface Draft {
  variants: VariantDraft[];
  metric: 'opens' | 'clicks';
  waitHours: number;
}

function draftOf(step: Step): Draft {
  const variants = step.variants?.map((variant) => ({
    subject: variant.subject ?? '',
    markdown: variant.markdown ?? '',
    html: variant.markdown === null ? variant.html : null,
  })) ?? [
    { subject: step.subject, markdown: '', html: null },
    { subject: '', markdown: '', html: null },
  ];
  return {
    variants,
    metric: step.abTest?.metric ?? 'opens',
    waitHours: Math.max(1, Math.round((step.abTest?.waitMinutes ?? 7 * 24 * 60) / 60)),
  };
}

const abKey = (businessId: string, sequenceId: string, stepId: string) =>
  [...sequenceKeys.one(businessId, sequenceId), 'ab', stepId] as const;

function useAbResults(businessId: string, sequenceId: string, stepId: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: abKey(businessId, sequenceId, stepId),
    enabled,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/sequences/{sequenceId}/steps/{stepId}/ab', {
          params: { path: { businessId, sequenceId, stepId } },
          signal,
        }),
      ),
  });
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

export function StepAbTest(props: { businessId: string; sequenceId: string; step: Step }) {
  const { businessId, sequenceId, step } = props;
  const api = useApi();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Draft>(() => draftOf(step));
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [pickError, setPickError] = useState<unknown>(null);
  const [picking, setPicking] = useState(false);
  const headingId = useId();
  const tested = step.variants !== null;
  const results = useAbResults(businessId, sequenceId, step.id, tested);
  const fields = saveError instanceof ApiError ? saveError.fieldErrors() : {};

  async function refresh() {
    await queryClient.invalidateQueries({ queryKey: sequenceKeys.one(businessId, sequenceId) });
  }

  async function patch(body: StepPatch) {
    setSaving(true);
    setSaveError(null);
    try {
      await unwrap(
        api.PATCH('/api/v1/businesses/{businessId}/sequences/{sequenceId}/steps/{stepId}', {
          params: { path: { businessId, sequenceId, stepId: step.id } },
          body,
        }),
      );
      await refresh();
      setEditing(false);
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  }

  function submit(event: SubmitEvent) {
    event.preventDefault();
    // An empty part is the step's own: it is left out of the variant.
    const variants = draft.variants.map((variant) => ({
      ...(variant.subject.trim() !== '' ? { subject: variant.subject } : {}),
      ...(variant.markdown.trim() !== ''
        ? { markdown: variant.markdown }
        : variant.html !== null
          ? { html: variant.html }
          : {}),
    }));
    void patch({
      variants,
      abTest: { metric: draft.metric, waitMinutes: draft.waitHours * 60 },
    });
  }

  async function pick(variant: VariantKey) {
    setPicking(true);
    setPickError(null);
    try {
      await unwrap(
        api.POST(
          '/api/v1/businesses/{businessId}/sequences/{sequenceId}/steps/{stepId}/ab/winner',
          {
            params: { path: { businessId, sequenceId, stepId: step.id } },
            body: { variant },
          },
        ),
      );
      await refresh();
    } catch (error) {
      setPickError(error);
    } finally {
      setPicking(false);
    }
  }

  const setVariant = (index: number, part: keyof VariantDraft, value: string) => {
    setDraft((current) => ({
      ...current,
      variants: current.variants.map((variant, at) =>
        at === index ? { ...variant, [part]: value } : variant,
      ),
    }));
  };

  if (!tested && !editing) {
    return (
      <div className="step-ab">
        <button
          type="button"
          className="button link"
          onClick={() => {
            setDraft(draftOf(step));
            setEditing(true);
          }}
        >
          A/B test this email
        </button>
      </div>
    );
  }

  return (
    <section className="step-ab card stack" aria-labelledby={headingId} data-testid="step-ab">
      <h3 id={headingId}>A/B test</h3>
      {editing ? (
        <form className="form stack" onSubmit={submit} aria-label="A/B variants">
          <p className="muted small">
            Each subscriber who reaches this step gets one variant until the winner is picked; then
            everyone gets the winner. Leave a part empty to keep the step’s own.
          </p>
          {/* Subjects B–D drafted by the AI layer from A's (or the step's own). */}
          <div className="step-ab-ai-slot" data-slot="draft-variants-with-ai">
            <DraftVariantsButton
              businessId={businessId}
              subject={draft.variants[0]?.subject.trim() || step.subject}
              count={Math.min(3, Math.max(1, draft.variants.length - 1))}
              vary="subject"
              onDrafted={(drafted) => {
                setDraft((current) => ({
                  ...current,
                  variants: current.variants.map((variant, index) =>
                    index === 0
                      ? variant
                      : { ...variant, subject: drafted[index - 1]?.subject ?? variant.subject },
                  ),
                }));
              }}
            />
          </div>
          {draft.variants.map((variant, index) => {
            const key = KEYS[index] ?? 'A';
            return (
              <fieldset key={key} className="step-ab-variant" data-testid="variant-editor">
                <legend>Variant {key}</legend>
                <Field
                  label={`Subject ${key}`}
                  error={fields[`variants.${String(index)}.subject`] ?? undefined}
                >
                  {({ id, describedBy, invalid }) => (
                    <input
                      id={id}
                      placeholder={step.subject}
                      aria-describedby={describedBy}
                      aria-invalid={invalid}
                      value={variant.subject}
                      onChange={(event) => {
                        setVariant(index, 'subject', event.target.value);
                      }}
                    />
                  )}
                </Field>
                <Field
                  label={`Body ${key} (Markdown, optional)`}
                  error={fields[`variants.${String(index)}.markdown`] ?? undefined}
                >
                  {({ id, describedBy, invalid }) => (
                    <textarea
                      id={id}
                      rows={3}
                      placeholder="Empty: the step’s body"
                      aria-describedby={describedBy}
                      aria-invalid={invalid}
                      value={variant.markdown}
                      onChange={(event) => {
                        setVariant(index, 'markdown', event.target.value);
                      }}
                    />
                  )}
                </Field>
                {draft.variants.length > 2 && (
                  <button
                    type="button"
                    className="button link"
                    onClick={() => {
                      setDraft((current) => ({
                        ...current,
                        variants: current.variants.filter((_, at) => at !== index),
                      }));
                    }}
                  >
                    Remove variant {key}
                  </button>
                )}
              </fieldset>
            );
          })}
          {draft.variants.length < 4 && (
            <button
              type="button"
              className="button secondary"
              onClick={() => {
                setDraft((current) => ({
                  ...current,
                  variants: [...current.variants, { subject: '', markdown: '', html: null }],
                }));
              }}
            >
              Add variant {KEYS[draft.variants.length]}
            </button>
          )}
          <div className="seq-row">
            <Field label="Winner by">
              {({ id }) => (
                <select
                  id={id}
                  value={draft.metric}
                  onChange={(event) => {
                    const metric = event.target.value === 'clicks' ? 'clicks' : 'opens';
                    setDraft((current) => ({ ...current, metric }));
                  }}
                >
                  <option value="opens">Most opens</option>
                  <option value="clicks">Most clicks</option>
                </select>
              )}
            </Field>
            <Field
              label="Pick the winner after (hours)"
              hint="Counted from the test’s first email"
              error={fields['abTest.waitMinutes']}
            >
              {({ id, describedBy }) => (
                <input
                  id={id}
                  type="number"
                  min={1}
                  max={720}
                  aria-describedby={describedBy}
                  value={draft.waitHours}
                  onChange={(event) => {
                    const waitHours = Number(event.target.value);
                    setDraft((current) => ({ ...current, waitHours }));
                  }}
                />
              )}
            </Field>
          </div>
          {saveError !== null && (
            <ErrorNotice error={saveError} title="The A/B test was not saved" />
          )}
          <div className="form-actions">
            <button type="submit" className="button" disabled={saving}>
              {tested ? 'Save and start a new test' : 'Start the A/B test'}
            </button>
            <button
              type="button"
              className="button secondary"
              onClick={() => {
                setEditing(false);
                setSaveError(null);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <AbResultsView
            results={results}
            picking={picking}
            onPick={(variant) => {
              void pick(variant);
            }}
          />
          {pickError !== null && (
            <ErrorNotice error={pickError} title="The winner was not picked" />
          )}
          {saveError !== null && <ErrorNotice error={saveError} title="The test was not ended" />}
          <div className="form-actions">
            <button
              type="button"
              className="button secondary"
              onClick={() => {
                setDraft(draftOf(step));
                setEditing(true);
              }}
            >
              Edit variants
            </button>
            <button
              type="button"
              className="button link"
              disabled={saving}
              onClick={() => {
                if (window.confirm('End the A/B test? The step sends its own email again.')) {
                  void patch({ variants: null });
                }
              }}
            >
              End the test
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function AbResultsView(props: {
  results: ReturnType<typeof useAbResults>;
  picking: boolean;
  onPick: (variant: VariantKey) => void;
}) {
  const { results, picking, onPick } = props;
  if (results.isPending) return <Skeleton lines={3} height={32} label="Loading the results…" />;
  if (results.isError)
    return (
      <ErrorNotice
        error={results.error}
        title="Could not load the A/B results"
        onRetry={() => void results.refetch()}
      />
    );
  const data = results.data;
  const by = data.metric === 'clicks' ? 'clicks' : 'opens';
  return (
    <>
      <p className="muted small" data-testid="ab-status">
        {data.status === 'waiting'
          ? 'No email sent yet: the test starts with the first subscriber who reaches this step.'
          : data.status === 'decided'
            ? `Variant ${data.winner ?? ''} won${data.pickedBy === 'hand' ? ' (picked by hand)' : ` by ${by}`}; every later email is variant ${data.winner ?? ''}.`
            : `Running: the winner is picked by ${by}${data.decideAt ? ` ${formatDateTime(data.decideAt)}` : ''}.`}
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
                Opens
              </th>
              <th scope="col" className="number">
                Clicks
              </th>
              <th scope="col">
                <span className="visually-hidden">Pick</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.variants.map((variant) => (
              <tr key={variant.key} data-testid="ab-variant-row">
                <td>
                  <strong>{variant.key}</strong>{' '}
                  <span className="step-ab-subject">{variant.subject}</span>
                  {data.winner === variant.key && (
                    <span className="badge status-sent"> Winner</span>
                  )}
                </td>
                <td className="number">{variant.sent.toLocaleString()}</td>
                <td className="number">
                  {variant.opens.toLocaleString()}
                  <div className="muted small">
                    {variant.uniqueOpens.toLocaleString()} unique · {pct(variant.openRate)}
                  </div>
                </td>
                <td className="number">
                  {variant.clicks.toLocaleString()}
                  <div className="muted small">
                    {variant.uniqueClicks.toLocaleString()} unique · {pct(variant.clickRate)}
                  </div>
                </td>
                <td>
                  {data.winner !== variant.key && (
                    <button
                      type="button"
                      className="button secondary small"
                      disabled={picking}
                      onClick={() => {
                        onPick(variant.key);
                      }}
                    >
                      Send {variant.key} from now on
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
