// CSV import: the picked file is read in the browser and previewed — its header and first rows,
// with what each column becomes (guessed from the header, changeable) — and nothing is sent until
// the user confirms. The file and the mapping then go as one request; the server imports it as a
// job whose progress arrives over the event stream, then reports each row it skipped (line
// number and reason). A reload mid-import finds the running job again from the job list.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';

import { isFinished, type Job } from '../../api/queries';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { useRunningJob } from '../../components/job-progress';
import { ProgressBar } from '../../components/ui';
import {
  type ColumnChoice,
  type CsvPreview,
  guessColumns,
  mappingProblem,
  readPreview,
  type Target,
  TARGET_LABELS,
  toImportColumns,
} from './csv-preview';
import {
  type ImportResult,
  importResultOf,
  subscriberKeys,
  useStartImport,
} from './subscriber-queries';

export const IMPORT_JOB = 'subscribers.import';
/** The errors listed on the page; the count (and a download) covers the rest. */
const SHOWN_ERRORS = 50;

/** A picked file waiting for the user to check its columns and confirm. */
interface PendingImport {
  fileName: string;
  csv: string;
  preview: CsvPreview;
  choices: ColumnChoice[];
}

export function CsvImport({ businessId }: { businessId: string }) {
  const queryClient = useQueryClient();
  const start = useStartImport(businessId);
  const followed = useRunningJob(businessId, IMPORT_JOB);
  const { job } = followed;
  const [fileError, setFileError] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const [pending, setPending] = useState<PendingImport | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const finished = job !== null && isFinished(job);
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: subscriberKeys.all(businessId) });
  }, [finished, businessId, queryClient]);

  function clearFile() {
    setPending(null);
    // The same file can be chosen again (after fixing it, for instance).
    if (input.current) input.current.value = '';
  }

  async function previewFile(file: File) {
    setFileError(null);
    setPending(null);
    start.reset();
    if (file.size === 0) {
      setFileError('That file is empty.');
      return;
    }
    setReading(true);
    try {
      const csv = await file.text();
      const preview = await readPreview(csv);
      setPending({ fileName: file.name, csv, preview, choices: guessColumns(preview.headers) });
    } catch (error) {
      setFileError(error instanceof Error ? error.message : 'That file could not be read.');
    } finally {
      setReading(false);
    }
  }

  function confirmImport(chosen: PendingImport) {
    start.mutate(
      { csv: chosen.csv, columns: toImportColumns(chosen.choices) },
      {
        onSuccess: (accepted) => {
          followed.follow(accepted.job.id);
          clearFile();
        },
      },
    );
  }

  const inProgress = job !== null && !isFinished(job);
  return (
    <section className="card" aria-labelledby="import-title" data-testid="csv-import">
      <h2 id="import-title">Import from CSV</h2>
      <p className="muted small">
        Pick a CSV file with a header row. You will see its first rows and choose what each column
        becomes (email, first name, a custom attribute…) before anything is imported. Existing
        addresses are updated.
      </p>
      <div className="field">
        <label htmlFor="csv-file">CSV file</label>
        <input
          id="csv-file"
          ref={input}
          type="file"
          accept=".csv,text/csv"
          disabled={inProgress || start.isPending || reading}
          aria-describedby={fileError ? 'csv-file-error' : undefined}
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void previewFile(file);
          }}
        />
        {fileError && (
          <p id="csv-file-error" className="field-error" role="alert">
            {fileError}
          </p>
        )}
      </div>
      {reading && <p className="muted small">Reading the file…</p>}
      {pending && (
        <ColumnMapping
          pending={pending}
          starting={start.isPending}
          onChange={(choices) => {
            setPending({ ...pending, choices });
          }}
          onConfirm={() => {
            confirmImport(pending);
          }}
          onCancel={clearFile}
        />
      )}
      {start.isError && <ErrorNotice error={start.error} title="The import could not start" />}
      {inProgress && (
        <div className="job-progress" data-testid="import-progress" aria-live="polite">
          <ProgressBar value={job.progress} label="CSV import progress" />
          <p>
            <strong>{job.progress}%</strong> · {job.progressMessage ?? 'Waiting for a worker…'}
          </p>
        </div>
      )}
      {inProgress && followed.error !== null && (
        <ErrorNotice error={followed.error} title="Lost track of the import for a moment" />
      )}
      {job !== null && finished && !pending && <ImportOutcome job={job} />}
    </section>
  );
}

const TARGETS = Object.keys(TARGET_LABELS) as Target[];

/** Each column of the file with its first values and what it becomes; then Confirm. */
function ColumnMapping(props: {
  pending: PendingImport;
  starting: boolean;
  onChange: (choices: ColumnChoice[]) => void;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { fileName, preview, choices } = props.pending;
  const problem = mappingProblem(choices, preview.headers);
  const change = (column: number, choice: Partial<ColumnChoice>) => {
    props.onChange(
      choices.map((current, index) => (index === column ? { ...current, ...choice } : current)),
    );
  };
  const columns = preview.headers.map((header, column) => ({ header, column }));
  return (
    <div className="import-preview" data-testid="import-preview">
      <h3>Check the columns of {fileName}</h3>
      <p className="muted small">
        Nothing is imported until you confirm.{' '}
        {preview.rows.length === 0
          ? 'The file has a header row but no rows under it.'
          : preview.rows.length === 1
            ? 'The first row is shown under each column’s name.'
            : `The first ${String(preview.rows.length)} rows are shown under each column’s name.`}
      </p>
      <DataTable
        label="Columns in the file"
        rows={columns}
        rowKey={({ column }) => String(column)}
        rowTestId="import-column"
        columns={[
          {
            header: 'Column in the file',
            cellClassName: 'break',
            cell: ({ header, column }) => (
              <>
                <strong>{header === '' ? '(no name)' : header}</strong>
                <br />
                <span className="muted small">
                  {preview.rows
                    .map((row) => row[column] ?? '')
                    .map((value) => (value === '' ? '—' : value))
                    .join(' · ')}
                </span>
              </>
            ),
          },
          {
            header: 'Import as',
            cell: ({ header, column }) => {
              const choice = choices[column] ?? { target: 'skip', attribute: header };
              return (
                <div className="field">
                  <select
                    aria-label={`Import “${header}” as`}
                    value={choice.target}
                    onChange={(event) => {
                      change(column, { target: event.target.value as Target });
                    }}
                  >
                    {TARGETS.map((target) => (
                      <option key={target} value={target}>
                        {TARGET_LABELS[target]}
                      </option>
                    ))}
                  </select>
                  {choice.target === 'attribute' && (
                    <input
                      type="text"
                      aria-label={`Attribute name for “${header}”`}
                      maxLength={64}
                      value={choice.attribute}
                      onChange={(event) => {
                        change(column, { attribute: event.target.value });
                      }}
                    />
                  )}
                </div>
              );
            },
          },
        ]}
      />
      {problem && (
        <p className="field-error" role="alert" data-testid="import-mapping-problem">
          {problem}
        </p>
      )}
      <div className="form-actions">
        <button
          type="button"
          className="button primary"
          disabled={problem !== null || props.starting}
          onClick={props.onConfirm}
        >
          {props.starting ? 'Starting the import…' : 'Confirm import'}
        </button>
        <button type="button" className="button secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function ImportOutcome({ job }: { job: Job }) {
  if (job.status === 'failed' || job.status === 'cancelled') {
    return (
      <div className="notice error" role="alert" data-testid="import-failed">
        <strong className="notice-title">The import did not finish</strong>
        <p>
          {job.error?.message ?? 'The job failed; nothing after the last saved batch was imported.'}
        </p>
      </div>
    );
  }
  const result = importResultOf(job.result);
  if (!result) return null;
  return <ImportReport result={result} />;
}

/** Counts, then every skipped row with its line in the file and why it was skipped. */
export function ImportReport({ result }: { result: ImportResult }) {
  const shown = result.errors.slice(0, SHOWN_ERRORS);
  const unlisted = result.errorCount - shown.length;
  return (
    <div className="import-report" data-testid="import-report">
      <p role="status">
        <strong>Import finished:</strong> {result.rows.toLocaleString()} rows read ·{' '}
        {result.imported.toLocaleString()} added · {result.updated.toLocaleString()} updated ·{' '}
        {result.skipped.toLocaleString()} skipped
      </p>
      {result.errorCount === 0 ? (
        <p className="saved">Every row was imported.</p>
      ) : (
        <>
          <h3>
            {result.errorCount.toLocaleString()} row{result.errorCount === 1 ? '' : 's'} not
            imported
          </h3>
          <DataTable
            label="Rows not imported"
            rows={shown}
            rowKey={(entry) => `${String(entry.row)}-${entry.reason}`}
            rowTestId="import-error-row"
            columns={[
              { header: 'Row', className: 'number', cell: (entry) => entry.row },
              { header: 'Reason', cell: (entry) => entry.reason },
            ]}
          />
          {unlisted > 0 && (
            <p className="muted small">
              …and {unlisted.toLocaleString()} more. Row numbers are lines in the file (the header
              is line 1).
            </p>
          )}
          <p>
            <a href={errorReportHref(result)} download="import-errors.csv">
              Download the error report (CSV)
            </a>
          </p>
        </>
      )}
    </div>
  );
}

/** The listed errors as a CSV the user can fix the file from. */
export function errorReportCsv(result: ImportResult): string {
  const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
  return ['row,reason', ...result.errors.map((e) => `${String(e.row)},${quote(e.reason)}`)].join(
    '\n',
  );
}

function errorReportHref(result: ImportResult): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(errorReportCsv(result))}`;
}
