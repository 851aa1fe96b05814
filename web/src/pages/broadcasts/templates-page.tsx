// Email templates and reusable blocks: a list, and an editor with a live preview and Liquid
// errors shown at their field. A block (a footer, a signature) is included in any template or
// broadcast with {% render 'name' %}.
import './broadcasts.css';

import { type SubmitEvent, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';

import { ApiError } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, Field, PageHeader, Skeleton } from '../../components/ui';
import { formatDateTime } from '../../format/date-time';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import {
  type EmailTemplate,
  usePreviewTemplate,
  useSaveTemplate,
  useTemplate,
  useTemplates,
} from './broadcast-queries';

export function TemplatesPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Email templates', business.name);
  const templates = useTemplates(business.id);
  const items = templates.data?.items ?? [];
  const base = `/businesses/${business.id}/templates`;
  return (
    <>
      <PageHeader
        title="Email templates"
        description="Reusable emails to start broadcasts from, and blocks (a footer, a signature) any email can include."
        actions={
          <>
            <Link className="button primary" to={`${base}/new`}>
              New template
            </Link>
            <Link className="button secondary" to={`${base}/new?kind=block`}>
              New block
            </Link>
          </>
        }
      />
      {templates.isPending && <Skeleton lines={4} height={48} label="Loading templates…" />}
      {templates.isError && (
        <ErrorNotice
          error={templates.error}
          title="Could not load the templates"
          onRetry={() => void templates.refetch()}
        />
      )}
      {templates.isSuccess && items.length === 0 && (
        <EmptyState title="No templates yet" testId="templates-empty">
          <p>
            Save an email you send often as a template, or a footer as a block, and reuse it in
            every broadcast.
          </p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <DataTable
          label="Templates"
          rows={items}
          rowKey={(item) => item.id}
          rowTestId="template-row"
          columns={[
            {
              header: 'Name',
              cell: (item) => <Link to={`${base}/${item.id}`}>{item.name}</Link>,
            },
            {
              header: 'Kind',
              cell: (item) =>
                item.kind === 'block' ? <code>{`{% render '${item.name}' %}`}</code> : 'Email',
            },
            {
              header: 'Updated',
              className: 'hide-narrow',
              cell: (item) => formatDateTime(item.updatedAt),
            },
          ]}
        />
      )}
    </>
  );
}

export function TemplatePage() {
  const business = useScopedBusiness();
  const { templateId } = useParams();
  const template = useTemplate(business.id, templateId);
  useDocumentTitle(template.data?.name ?? 'New template', business.name);
  if (templateId !== undefined && template.isPending)
    return <Skeleton lines={6} height={40} label="Loading the template…" />;
  if (template.isError)
    return (
      <ErrorNotice
        error={template.error}
        title="Could not load the template"
        onRetry={() => void template.refetch()}
      />
    );
  return (
    <TemplateEditor
      key={template.data?.updatedAt ?? 'new'}
      businessId={business.id}
      template={template.data}
    />
  );
}

function TemplateEditor(props: { businessId: string; template: EmailTemplate | undefined }) {
  const { businessId, template } = props;
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const kind = template?.kind ?? (search.get('kind') === 'block' ? 'block' : 'email');
  const save = useSaveTemplate(businessId, template?.id);
  const preview = usePreviewTemplate(businessId);
  const [name, setName] = useState(template?.name ?? '');
  const [subject, setSubject] = useState(template?.subject ?? '');
  const [preheader, setPreheader] = useState(template?.preheader ?? '');
  const [format, setFormat] = useState<'markdown' | 'html'>(
    template && template.markdown === null ? 'html' : 'markdown',
  );
  const [body, setBody] = useState(template?.markdown ?? template?.html ?? '');
  const error = save.error ?? preview.error;
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  const bodyError = fields.markdown ?? fields.html;
  const content = {
    subject,
    preheader,
    text: '',
    ...(format === 'markdown' ? { markdown: body } : { html: body }),
  };

  function submit(event: SubmitEvent) {
    event.preventDefault();
    preview.reset();
    save.mutate(
      { kind, name, ...content },
      {
        onSuccess: (saved) => {
          if (!template) void navigate(`/businesses/${businessId}/templates/${saved.id}`);
        },
      },
    );
  }

  return (
    <>
      <PageHeader
        title={template ? template.name : kind === 'block' ? 'New block' : 'New template'}
        description={
          kind === 'block'
            ? `Include it in any email with {% render '${name || 'name'}' %}`
            : 'A reusable email: start a broadcast from it.'
        }
        actions={
          <Link className="button secondary" to={`/businesses/${businessId}/templates`}>
            All templates
          </Link>
        }
      />
      <div className="bc-grid">
        <form className="card form stack" onSubmit={submit} aria-label="Template">
          <Field
            label={kind === 'block' ? 'Block name' : 'Template name'}
            hint={kind === 'block' ? 'Letters, digits, - and _' : undefined}
            error={fields.name}
          >
            {({ id, describedBy }) => (
              <input
                id={id}
                required
                aria-describedby={describedBy}
                value={name}
                onChange={(event) => {
                  setName(event.target.value);
                }}
              />
            )}
          </Field>
          {kind === 'email' && (
            <>
              <Field label="Subject" error={fields.subject}>
                {({ id, describedBy, invalid }) => (
                  <input
                    id={id}
                    required
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    value={subject}
                    onChange={(event) => {
                      setSubject(event.target.value);
                    }}
                  />
                )}
              </Field>
              <Field label="Preview text" error={fields.preheader}>
                {({ id }) => (
                  <input
                    id={id}
                    value={preheader}
                    onChange={(event) => {
                      setPreheader(event.target.value);
                    }}
                  />
                )}
              </Field>
            </>
          )}
          <Field label="Written in">
            {({ id }) => (
              <select
                id={id}
                value={format}
                onChange={(event) => {
                  setFormat(event.target.value === 'html' ? 'html' : 'markdown');
                }}
              >
                <option value="markdown">Markdown</option>
                <option value="html">HTML</option>
              </select>
            )}
          </Field>
          <Field label="Body" error={bodyError}>
            {({ id, describedBy, invalid }) => (
              <textarea
                id={id}
                className="bc-body"
                required
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={body}
                onChange={(event) => {
                  setBody(event.target.value);
                }}
              />
            )}
          </Field>
          {error && Object.keys(fields).length === 0 && (
            <ErrorNotice error={error} title="Something went wrong" />
          )}
          <div className="bc-row">
            <button type="submit" className="button primary" disabled={save.isPending}>
              {template ? 'Save changes' : 'Save template'}
            </button>
            <button
              type="button"
              className="button secondary"
              disabled={preview.isPending}
              onClick={() => {
                save.reset();
                preview.mutate({ ...content, subject: kind === 'block' ? '' : subject });
              }}
            >
              Preview
            </button>
            {save.isSuccess && template && (
              <span className="muted small" role="status">
                Saved
              </span>
            )}
          </div>
        </form>
        <section className="card stack" aria-label="Preview">
          <h2>Preview</h2>
          {!preview.data && (
            <p className="muted small">
              Press Preview to see it as a sample subscriber would, with blocks in place.
            </p>
          )}
          {preview.data && (
            <>
              {kind === 'email' && (
                <p data-testid="preview-subject">
                  <strong>{preview.data.subject}</strong>
                </p>
              )}
              <iframe
                className="bc-preview"
                title="Email preview"
                sandbox=""
                srcDoc={preview.data.html}
              />
            </>
          )}
        </section>
      </div>
    </>
  );
}
