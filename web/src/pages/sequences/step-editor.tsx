// One step of a sequence: its delay and send window, its Liquid templates (the body written in
// Markdown, or in HTML as an option; the plain-text part made from the HTML unless the marketer
// writes it), and a live preview rendered by the server (the same Markdown and Liquid code that
// sends) for a chosen subscriber. Template errors, from saving
// or from the preview, appear under the field they belong to with the offending line, until the
// field is changed.
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, type Ref, type SubmitEvent, useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';

import { type Api, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { ErrorNotice } from '../../components/error-notice';
import { Field } from '../../components/ui';
import { useDebounced } from '../../hooks/use-debounced';
import { useSubscribers } from '../subscribers/subscriber-queries';
import { sequenceKeys, useSaveStep } from './sequence-queries';
import {
  applyMarkdown,
  type BodyFormat,
  type DelayUnit,
  describeTiming,
  emptyStepForm,
  errorsStillApplying,
  type FormErrors,
  formToPayload,
  lineOf,
  makeTextFromHtml,
  type MarkdownAction,
  type SequenceStep,
  stepErrorsOf,
  type StepForm,
  stepToForm,
  switchLosesFormatting,
  switchToHtml,
  switchToMarkdown,
  type TemplateError,
  type TemplateField,
  WEEKDAYS,
  writeTextByHand,
} from './step-form';

const PREVIEW_DELAY_MS = 400;

export function StepEditor(props: {
  businessId: string;
  sequenceId: string;
  timezone: string;
  step: SequenceStep | null;
  position: number;
  onDone: () => void;
}) {
  const { businessId, sequenceId, step, position } = props;
  const save = useSaveStep(businessId, sequenceId);
  const [form, setForm] = useState<StepForm>(() =>
    step ? stepToForm(step) : emptyStepForm(position === 0),
  );
  const [clientErrors, setClientErrors] = useState<FormErrors>({});
  // The form as last sent to be saved: a refused save's errors apply to it, not to later edits.
  const [submitted, setSubmitted] = useState<StepForm | null>(null);
  const [subscriberId, setSubscriberId] = useState('');
  // The HTML the server last made from the Markdown for a switch to HTML: switching back before
  // changing it returns to the Markdown.
  const [madeFromMarkdown, setMadeFromMarkdown] = useState<string | null>(() =>
    step && step.markdown !== null ? step.html : null,
  );
  const [switchError, setSwitchError] = useState<unknown>(null);
  const templates = useDebounced(templatesOf(form), PREVIEW_DELAY_MS);
  const preview = usePreview(businessId, templates, subscriberId);
  const fetchPreview = useFetchPreview(businessId);
  const serverErrors = stepErrorsOf(save.error);
  const currentServerErrors = errorsStillApplying(serverErrors, submitted, form);
  const previewErrors = stepErrorsOf(preview.error);
  const switchErrors = stepErrorsOf(switchError);
  const headingId = useId();

  const set = <K extends keyof StepForm>(name: K, value: StepForm[K]) => {
    // A failed switch's error is about the Markdown as it was; the preview checks the new one.
    if (name === 'markdown') setSwitchError(null);
    setForm((current) => ({ ...current, [name]: value }));
  };

  function errorOf(name: keyof StepForm): TemplateError | undefined {
    const client = clientErrors[name];
    if (client) return { message: client, line: null, column: null };
    return currentServerErrors[name] ?? previewErrors[name] ?? switchErrors[name];
  }

  async function changeFormat(format: BodyFormat) {
    if (format === form.bodyFormat) return;
    setSwitchError(null);
    if (format === 'markdown') {
      const confirmed =
        !switchLosesFormatting(form, madeFromMarkdown) ||
        window.confirm(
          'Switch to Markdown? The words of your HTML are kept, but its layout and styling are not.',
        );
      if (confirmed) setForm(switchToMarkdown(form, madeFromMarkdown));
      return;
    }
    if (form.markdown.trim() === '') {
      setForm({ ...form, bodyFormat: 'html' });
      return;
    }
    try {
      // The preview's own request (cached when the preview is up to date): its markdownHtml is
      // exactly what saving the Markdown would store.
      const made = (await fetchPreview(templatesOf(form), subscriberId)).markdownHtml ?? '';
      setMadeFromMarkdown(made);
      setForm((current) => switchToHtml(current, made));
    } catch (error) {
      setSwitchError(error);
    }
  }

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const result = formToPayload(form);
    if (!result.ok) {
      setClientErrors(result.errors);
      return;
    }
    setClientErrors({});
    setSwitchError(null);
    setSubmitted(form);
    save.mutate({ stepId: step?.id ?? null, payload: result.payload }, { onSuccess: props.onDone });
  }

  const timing = formToPayload(form);
  const fieldErrorShown = Object.keys(serverErrors).length > 0;

  return (
    <form className="card form step-editor" onSubmit={submit} aria-labelledby={headingId}>
      <h3 id={headingId}>
        {step ? `Edit step ${String(position + 1)}` : `New step ${String(position + 1)}`}
      </h3>
      <div className="step-editor-grid">
        <div className="stack">
          <fieldset>
            <legend>When it sends</legend>
            <div className="seq-row">
              <Field
                label={position === 0 ? 'Wait after enrollment' : 'Wait after the previous step'}
                error={errorOf('delayValue')?.message}
              >
                {({ id, describedBy, invalid }) => (
                  <input
                    id={id}
                    type="number"
                    min={0}
                    inputMode="numeric"
                    value={form.delayValue}
                    aria-invalid={invalid}
                    aria-describedby={describedBy}
                    onChange={(event) => {
                      set('delayValue', event.target.value);
                    }}
                  />
                )}
              </Field>
              <Field label="Unit">
                {({ id }) => (
                  <select
                    id={id}
                    value={form.delayUnit}
                    onChange={(event) => {
                      set('delayUnit', event.target.value as DelayUnit);
                    }}
                  >
                    <option value="minutes">minutes</option>
                    <option value="hours">hours</option>
                    <option value="days">days</option>
                  </select>
                )}
              </Field>
            </div>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={form.windowEnabled}
                onChange={(event) => {
                  set('windowEnabled', event.target.checked);
                }}
              />{' '}
              Only send within a window ({props.timezone})
            </label>
            {form.windowEnabled && (
              <SendWindowFields form={form} set={set} errorOf={errorOf} timezone={props.timezone} />
            )}
            {timing.ok && (
              <p className="muted small" data-testid="step-timing">
                {describeTiming(timing.payload, position, props.timezone)}
              </p>
            )}
          </fieldset>
          <TemplateInput
            name="subject"
            label="Subject"
            value={form.subject}
            error={errorOf('subject')}
            onChange={(value) => {
              set('subject', value);
            }}
          />
          <TemplateInput
            name="preheader"
            label="Preheader"
            hint="The grey line inboxes show after the subject"
            value={form.preheader}
            error={errorOf('preheader')}
            onChange={(value) => {
              set('preheader', value);
            }}
          />
          <BodyInput
            form={form}
            set={set}
            errorOf={errorOf}
            onFormat={(format) => void changeFormat(format)}
          />
          {switchError !== null && Object.keys(switchErrors).length === 0 && (
            <ErrorNotice error={switchError} title="The HTML could not be made from the Markdown" />
          )}
          <PlainTextPart
            form={form}
            setForm={setForm}
            madeFromMarkdown={preview.data?.markdownHtml ?? null}
            error={errorOf('text')}
          />
        </div>
        <PreviewPanel
          businessId={businessId}
          subscriberId={subscriberId}
          onSubscriber={setSubscriberId}
          preview={preview}
        />
      </div>
      {save.isError && !fieldErrorShown && (
        <ErrorNotice error={save.error} title="The step was not saved" />
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : step ? 'Save step' : 'Add step'}
        </button>
        <button type="button" className="button secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function SendWindowFields(props: {
  form: StepForm;
  set: <K extends keyof StepForm>(name: K, value: StepForm[K]) => void;
  errorOf: (name: keyof StepForm) => TemplateError | undefined;
  timezone: string;
}) {
  const { form, set, errorOf } = props;
  const daysError = errorOf('windowDays')?.message;
  return (
    <>
      <fieldset className="weekdays" aria-describedby={daysError ? 'window-days-error' : undefined}>
        <legend>Days</legend>
        <div className="chips">
          {WEEKDAYS.map((weekday) => {
            const on = form.windowDays.includes(weekday.day);
            return (
              <label key={weekday.day} className={`chip${on ? ' on' : ''}`}>
                <input
                  type="checkbox"
                  className="visually-hidden"
                  checked={on}
                  aria-label={weekday.label}
                  onChange={() => {
                    set(
                      'windowDays',
                      on
                        ? form.windowDays.filter((day) => day !== weekday.day)
                        : [...form.windowDays, weekday.day].sort((a, b) => a - b),
                    );
                  }}
                />
                {weekday.short}
              </label>
            );
          })}
        </div>
        {daysError && (
          <p id="window-days-error" className="field-error" role="alert">
            {daysError}
          </p>
        )}
      </fieldset>
      <div className="seq-row">
        <Field label="From" error={errorOf('windowStart')?.message}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="time"
              value={form.windowStart}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => {
                set('windowStart', event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Until" error={errorOf('windowEnd')?.message}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="time"
              value={form.windowEnd}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => {
                set('windowEnd', event.target.value);
              }}
            />
          )}
        </Field>
      </div>
      <p className="hint">
        Times are in the business’s time zone, {props.timezone}; an email due outside the window
        waits for the next opening.
      </p>
    </>
  );
}

const LIQUID_HINT = (
  <>
    Liquid: <code>{'{{ subscriber.first_name | default: "there" }}'}</code>; values are escaped. An
    unsubscribe link is added unless you place <code>{'{{ unsubscribe_url }}'}</code> yourself.
  </>
);

const MARKDOWN_TOOLS: { action: MarkdownAction; label: string; title: string }[] = [
  { action: 'heading', label: 'Heading', title: 'Make the line a heading (## )' },
  { action: 'bold', label: 'Bold', title: 'Bold (**text**)' },
  { action: 'italic', label: 'Italic', title: 'Italic (*text*)' },
  { action: 'link', label: 'Link', title: 'Link ([text](https://…))' },
  { action: 'list', label: 'List', title: 'Bulleted list (- item)' },
  { action: 'firstName', label: 'First name', title: "Insert the subscriber's first name" },
];

/**
 * The email body: written in Markdown (the default; a toolbar writes the marks), or in HTML as
 * an option. The server makes the HTML from the Markdown, so the preview shows what is sent.
 */
function BodyInput(props: {
  form: StepForm;
  set: <K extends keyof StepForm>(name: K, value: StepForm[K]) => void;
  errorOf: (name: keyof StepForm) => TemplateError | undefined;
  onFormat: (format: BodyFormat) => void;
}) {
  const { form, set } = props;
  const textarea = useRef<HTMLTextAreaElement>(null);

  function apply(action: MarkdownAction) {
    const element = textarea.current;
    const start = element?.selectionStart ?? form.markdown.length;
    const end = element?.selectionEnd ?? form.markdown.length;
    const next = applyMarkdown(form.markdown, start, end, action);
    // Committed at once, so the caret is placed before the next key arrives: a frame later, the
    // first letters typed after a click on Bold went to the button on a busy machine.
    flushSync(() => {
      set('markdown', next.value);
    });
    element?.focus();
    element?.setSelectionRange(next.start, next.end);
  }

  return (
    <div className="body-input">
      <div className="body-format">
        <span id="body-format-label">Write the email in</span>
        <div className="chips" role="group" aria-labelledby="body-format-label">
          {(['markdown', 'html'] as const).map((format) => (
            <button
              key={format}
              type="button"
              className={`chip${form.bodyFormat === format ? ' on' : ''}`}
              aria-pressed={form.bodyFormat === format}
              onClick={() => {
                props.onFormat(format);
              }}
            >
              {format === 'markdown' ? 'Markdown' : 'HTML'}
            </button>
          ))}
        </div>
      </div>
      {form.bodyFormat === 'markdown' ? (
        <>
          <div className="markdown-toolbar" role="toolbar" aria-label="Formatting">
            {MARKDOWN_TOOLS.map((tool) => (
              <button
                key={tool.action}
                type="button"
                className="button secondary small"
                title={tool.title}
                onClick={() => {
                  apply(tool.action);
                }}
              >
                {tool.label}
              </button>
            ))}
          </div>
          <TemplateInput
            name="markdown"
            label="Email"
            hint={
              <>
                <code>## Heading</code>, <code>**bold**</code>, <code>*italic*</code>,{' '}
                <code>[link text](https://…)</code>, <code>- list item</code>; a blank line starts a
                new paragraph. {LIQUID_HINT}
              </>
            }
            rows={10}
            textareaRef={textarea}
            value={form.markdown}
            error={props.errorOf('markdown')}
            onChange={(value) => {
              set('markdown', value);
            }}
          />
        </>
      ) : (
        <TemplateInput
          name="html"
          label="HTML body"
          hint={LIQUID_HINT}
          rows={10}
          value={form.html}
          error={props.errorOf('html')}
          onChange={(value) => {
            set('html', value);
          }}
        />
      )}
    </div>
  );
}

/**
 * The plain-text part: made from the HTML when sent (it follows every HTML edit), or written by
 * hand, starting from the HTML's words; the marketer sees which, and can go back.
 */
function PlainTextPart(props: {
  form: StepForm;
  setForm: (update: (form: StepForm) => StepForm) => void;
  /** The HTML the preview made from the Markdown, if any. */
  madeFromMarkdown: string | null;
  error: TemplateError | undefined;
}) {
  const { form, setForm } = props;
  // Focus follows a switch (the control it used is gone), not the editor's first render.
  const [switched, setSwitched] = useState(false);
  const written = form.textSource === 'written';
  const body = form.bodyFormat === 'html' ? 'the HTML' : 'the email';
  return (
    <div className="plain-text-part">
      <p className="plain-text-source" data-testid="plain-text-source">
        <strong>Plain text: {written ? 'written by you' : `made from ${body}`}</strong>
        <span className="hint">
          {written
            ? ` — it stays as written when you change ${body}.`
            : ` — it follows every change to ${body}; see “Plain text” in the preview.`}
        </span>
      </p>
      {written ? (
        <>
          <TemplateInput
            name="text"
            label="Plain-text body"
            hint={`Sent to inboxes that do not show formatting. Left empty, it is made from ${body}.`}
            rows={4}
            autoFocus={switched}
            value={form.text}
            error={props.error}
            onChange={(value) => {
              setForm((current) => ({ ...current, text: value }));
            }}
          />
          <button
            type="button"
            className="button link"
            onClick={() => {
              setSwitched(true);
              setForm(makeTextFromHtml);
            }}
          >
            Make it from {body} again
          </button>
        </>
      ) : (
        <button
          type="button"
          className="button secondary"
          autoFocus={switched}
          onClick={() => {
            setSwitched(true);
            setForm((current) => writeTextByHand(current, props.madeFromMarkdown));
          }}
        >
          Write it yourself
        </button>
      )}
    </div>
  );
}

/** A template field whose error shows the line it points at, as the author wrote it. */
function TemplateInput(props: {
  name: TemplateField;
  label: string;
  hint?: ReactNode;
  rows?: number;
  autoFocus?: boolean;
  textareaRef?: Ref<HTMLTextAreaElement>;
  value: string;
  error: TemplateError | undefined;
  onChange: (value: string) => void;
}) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const source = props.error ? lineOf(props.value, props.error.line) : null;
  const common = {
    id,
    name: props.name,
    value: props.value,
    spellCheck: props.name === 'subject' || props.name === 'preheader' || props.name === 'markdown',
    'aria-invalid': Boolean(props.error),
    'aria-describedby': describedBy,
  };
  return (
    <div className={`field${props.error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.rows ? (
        <textarea
          {...common}
          ref={props.textareaRef}
          autoFocus={props.autoFocus}
          rows={props.rows}
          className="code"
          onChange={(event) => {
            props.onChange(event.target.value);
          }}
        />
      ) : (
        <input
          {...common}
          maxLength={500}
          onChange={(event) => {
            props.onChange(event.target.value);
          }}
        />
      )}
      {props.hint && (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <div id={errorId} className="field-error" role="alert" data-testid={`${props.name}-error`}>
          <p>{props.error.message}</p>
          {source !== null && (
            <pre className="error-line">
              <span aria-hidden="true">{props.error.line}</span> {source}
            </pre>
          )}
        </div>
      )}
    </div>
  );
}

interface Templates {
  subject: string;
  preheader: string;
  html: string;
  markdown?: string;
  text: string;
}

/** What the preview renders: the body as Markdown or as HTML, whichever the step is written in. */
function templatesOf(form: StepForm): Templates {
  const text = form.textSource === 'written' ? form.text : '';
  return form.bodyFormat === 'markdown'
    ? { subject: form.subject, preheader: form.preheader, html: '', markdown: form.markdown, text }
    : { subject: form.subject, preheader: form.preheader, html: form.html, text };
}

function previewQuery(api: Api, businessId: string, templates: Templates, subscriberId: string) {
  return {
    queryKey: [...sequenceKeys.all(businessId), 'preview', templates, subscriberId],
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/sequences/preview', {
          params: { path: { businessId } },
          body: { ...templates, ...(subscriberId ? { subscriberId } : {}) },
          signal,
        }),
      ),
    staleTime: Infinity,
    retry: false,
  };
}

function usePreview(businessId: string, templates: Templates, subscriberId: string) {
  const api = useApi();
  const body = templates.markdown ?? templates.html;
  return useQuery({
    ...previewQuery(api, businessId, templates, subscriberId),
    enabled: templates.subject.trim() !== '' && body.trim() !== '',
    placeholderData: keepPreviousData,
  });
}

/** The preview of templates now, from the cache when the live preview already has it. */
function useFetchPreview(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return (templates: Templates, subscriberId: string) =>
    queryClient.query(previewQuery(api, businessId, templates, subscriberId));
}

function PreviewPanel(props: {
  businessId: string;
  subscriberId: string;
  onSubscriber: (id: string) => void;
  preview: ReturnType<typeof usePreview>;
}) {
  const { preview } = props;
  const subscribers = useSubscribers(props.businessId, { search: '', consentStatus: '' }, 50);
  const people = subscribers.data?.pages.flatMap((page) => page.items) ?? [];
  const [view, setView] = useState<'html' | 'text'>('html');
  const templateProblem = Object.keys(stepErrorsOf(preview.error)).length > 0;
  return (
    <section className="preview-panel" aria-labelledby="preview-title" data-testid="step-preview">
      <h4 id="preview-title">Live preview</h4>
      <Field label="Preview for" hint="Rendered by the server exactly as it will be sent">
        {({ id, describedBy }) => (
          <select
            id={id}
            value={props.subscriberId}
            aria-describedby={describedBy}
            onChange={(event) => {
              props.onSubscriber(event.target.value);
            }}
          >
            <option value="">A sample subscriber</option>
            {people.map((person) => (
              <option key={person.id} value={person.id}>
                {person.email}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="chips" role="group" aria-label="Preview format">
        {(['html', 'text'] as const).map((format) => (
          <button
            key={format}
            type="button"
            className={`chip${view === format ? ' on' : ''}`}
            aria-pressed={view === format}
            onClick={() => {
              setView(format);
            }}
          >
            {format === 'html' ? 'HTML' : 'Plain text'}
          </button>
        ))}
      </div>
      {!preview.data && !preview.isError && (
        <p className="muted small">Write a subject and the email to see it here.</p>
      )}
      {preview.isError && templateProblem && (
        <p className="field-error small" role="status">
          Fix the template errors marked on the left to update the preview.
        </p>
      )}
      {preview.isError && !templateProblem && (
        <ErrorNotice
          error={preview.error}
          title="The preview could not be rendered"
          onRetry={() => void preview.refetch()}
        />
      )}
      {preview.data && (
        <div className={`preview${preview.isFetching ? ' refreshing' : ''}`}>
          <p className="preview-subject" data-testid="preview-subject">
            {preview.data.subject}
          </p>
          {view === 'html' ? (
            <iframe
              title="Rendered HTML body"
              sandbox=""
              srcDoc={preview.data.html}
              className="preview-frame"
            />
          ) : (
            <pre className="preview-text">{preview.data.text}</pre>
          )}
        </div>
      )}
    </section>
  );
}
