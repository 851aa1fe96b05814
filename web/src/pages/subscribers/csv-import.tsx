// CSV import: the file is read in the browser and sent as one request; the server imports it as
// a job whose progress arrives over the event stream, then reports each row it skipped (line
// number and reason). A reload mid-import finds the running job again from the job list.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';

import { isFinished, type Job } from '../../api/queries';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { useRunningJob } from '../../components/job-progress';
import { ProgressBar } from '../../components/ui';
import {
  type ImportResult,
  importResultOf,
  subscriberKeys,
  useStartImport,
} from './subscriber-queries';

export const IMPORT_JOB = 'subscribers.import';
/** The errors listed on the page; the count (and a download) covers the rest. */
const SHOWN_ERRORS = 50;

export function CsvImport({ businessId }: { businessId: string }) {
  const queryClient = useQueryClient();
  const start = useStartImport(businessId);
  const followed = useRunningJob(businessId, IMPORT_JOB);
  const { job } = followed;
  const [fileError, setFileError] = useState<string | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const finished = job !== null && isFinished(job);
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: subscriberKeys.all(businessId) });
  }, [finished, businessId, queryClient]);

  async function importFile(file: File) {
    setFileError(null);
    setFileName(file.name);
    if (file.size === 0) {
      setFileError('That file is empty.');
      return;
    }
    const csv = await file.text();
    start.mutate(csv, {
      onSuccess: (accepted) => {
        followed.follow(accepted.job.id);
      },
    });
    // The same file can be chosen again (after fixing it, for instance).
    if (input.current) input.current.value = '';
  }

  const inProgress = job !== null && !isFinished(job);
  return (
    <section className="card" aria-labelledby="import-title" data-testid="csv-import">
      <h2 id="import-title">Import from CSV</h2>
      <p className="muted small">
        A header row and an <code>email</code> column are required; <code>first_name</code>,{' '}
        <code>last_name</code>, <code>consent_status</code> and <code>source</code> are read, and
        any other column becomes a custom attribute. Existing addresses are updated.
      </p>
      <div className="field">
        <label htmlFor="csv-file">CSV file</label>
        <input
          id="csv-file"
          ref={input}
          type="file"
          accept=".csv,text/csv"
          disabled={inProgress || start.isPending}
          aria-describedby={fileError ? 'csv-file-error' : undefined}
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void importFile(file);
          }}
        />
        {fileError && (
          <p id="csv-file-error" className="field-error" role="alert">
            {fileError}
          </p>
        )}
      </div>
      {start.isError && <ErrorNotice error={start.error} title="The import could not start" />}
      {start.isPending && <p className="muted small">Uploading {fileName ?? 'the file'}…</p>}
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
      {job !== null && finished && <ImportOutcome job={job} />}
    </section>
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
