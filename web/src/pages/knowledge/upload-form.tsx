// Adds a document to the knowledge base: pasted text (plain, Markdown or HTML), a PDF file (sent
// as base64), or a web address for the server to fetch. Checked here first, so a missing title or
// an empty text is said beside its field before anything is sent.
import { type SubmitEvent, useState } from 'react';

import { ApiError } from '../../api/errors';
import { ErrorNotice } from '../../components/error-notice';
import { Field } from '../../components/ui';
import type { KnowledgeFormat, NewKnowledgeDocument } from '../chat/types';
import { FORMAT_LABEL } from './knowledge-format';
import { readAsBase64, useUploadDocument } from './knowledge-queries';

type Source = 'paste' | 'pdf' | 'url';

const SOURCES: { value: Source; label: string }[] = [
  { value: 'paste', label: 'Write or paste' },
  { value: 'pdf', label: 'A PDF file' },
  { value: 'url', label: 'A web address' },
];

const TEXT_FORMATS: KnowledgeFormat[] = ['text', 'markdown', 'html'];

function isWebAddress(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function UploadForm({ businessId }: { businessId: string }) {
  const upload = useUploadDocument(businessId);
  const [source, setSource] = useState<Source>('paste');
  const [title, setTitle] = useState('');
  const [format, setFormat] = useState<KnowledgeFormat>('text');
  const [content, setContent] = useState('');
  const [url, setUrl] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [reading, setReading] = useState<unknown>(null);
  const [formKey, setFormKey] = useState(0);
  const serverErrors = upload.error instanceof ApiError ? upload.error.fieldErrors() : {};
  const fieldError = (name: string) => errors[name] ?? serverErrors[name];

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    const name = title.trim() || (source === 'pdf' && file ? file.name.replace(/\.pdf$/i, '') : '');
    if (!name) found.title = 'Give the document a title.';
    if (source === 'paste' && !content.trim()) found.content = 'Write or paste the text.';
    if (source === 'pdf' && !file) found.file = 'Choose a PDF file.';
    if (source === 'url' && !isWebAddress(url.trim())) {
      found.url = 'Enter a web address starting with https:// or http://';
    }
    setErrors(found);
    if (Object.keys(found).length > 0 || upload.isPending) return;

    let body: NewKnowledgeDocument;
    if (source === 'pdf' && file) {
      setReading(null);
      try {
        body = { title: name, format: 'pdf', contentBase64: await readAsBase64(file) };
      } catch (error) {
        setReading(error);
        return;
      }
    } else if (source === 'url') {
      body = { title: name, format, url: url.trim() };
    } else {
      body = { title: name, format, content };
    }
    upload.mutate(body, {
      onSuccess: () => {
        setTitle('');
        setContent('');
        setUrl('');
        setFile(null);
        // A file input cannot be cleared through its value: remount the form's fields.
        setFormKey((key) => key + 1);
      },
    });
  }

  return (
    <section className="card" aria-labelledby="upload-title">
      <h2 id="upload-title">Add a document</h2>
      <form
        className="knowledge-form"
        key={formKey}
        onSubmit={(event) => void submit(event)}
        noValidate
      >
        <fieldset className="knowledge-sources">
          <legend>Source</legend>
          {SOURCES.map((option) => (
            <label key={option.value} className="knowledge-source">
              <input
                type="radio"
                name="knowledge-source"
                value={option.value}
                checked={source === option.value}
                onChange={() => {
                  setSource(option.value);
                  setErrors({});
                  if (option.value === 'paste' && format === 'pdf') setFormat('text');
                }}
              />
              {option.label}
            </label>
          ))}
        </fieldset>
        <Field label="Title" error={fieldError('title')}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="text"
              maxLength={200}
              value={title}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onChange={(event) => {
                setTitle(event.target.value);
              }}
            />
          )}
        </Field>
        {source !== 'pdf' && (
          <Field label="Format" error={fieldError('format')}>
            {({ id, describedBy }) => (
              <select
                id={id}
                value={format}
                aria-describedby={describedBy}
                onChange={(event) => {
                  setFormat(event.target.value as KnowledgeFormat);
                }}
              >
                {(source === 'url' ? [...TEXT_FORMATS, 'pdf' as const] : TEXT_FORMATS).map(
                  (value) => (
                    <option key={value} value={value}>
                      {FORMAT_LABEL[value]}
                    </option>
                  ),
                )}
              </select>
            )}
          </Field>
        )}
        {source === 'paste' && (
          <Field label="Text" error={fieldError('content')}>
            {({ id, describedBy, invalid }) => (
              <textarea
                id={id}
                rows={8}
                value={content}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(event) => {
                  setContent(event.target.value);
                }}
              />
            )}
          </Field>
        )}
        {source === 'pdf' && (
          <Field
            label="PDF file"
            hint="Its text is extracted on the server; scanned pages without text are skipped."
            error={fieldError('file') ?? fieldError('contentBase64')}
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="file"
                accept="application/pdf,.pdf"
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(event) => {
                  setFile(event.target.files?.[0] ?? null);
                }}
              />
            )}
          </Field>
        )}
        {source === 'url' && (
          <Field
            label="Web address"
            hint="Herald fetches the page once; later changes on the site are not followed."
            error={fieldError('url')}
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="url"
                inputMode="url"
                placeholder="https://example.com/faq"
                value={url}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(event) => {
                  setUrl(event.target.value);
                }}
              />
            )}
          </Field>
        )}
        <div>
          <button type="submit" className="button" disabled={upload.isPending}>
            {upload.isPending ? 'Adding…' : 'Add to the knowledge base'}
          </button>
        </div>
        {reading !== null && (
          <div className="notice error" role="alert">
            <strong className="notice-title">Could not read the file</strong>
            <p>Choose it again, or check that it is a readable PDF.</p>
          </div>
        )}
        {upload.isError && Object.keys(serverErrors).length === 0 && (
          <ErrorNotice error={upload.error} title="Could not add the document" />
        )}
        {upload.isSuccess && (
          <p className="muted small" role="status">
            Added “{upload.data.title}”. It is cut into passages the agents can cite; this takes a
            moment.
          </p>
        )}
      </form>
    </section>
  );
}
