// Entering a campaign's figures without an integration: a small form for one piece and day, or a
// CSV file with a row per piece and day. Each is sent to the metrics endpoint as the "manual"
// source, so sending a day again replaces what was entered for it; every CSV row says how it went.
import './analytics-entry.css';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type SubmitEvent, useState } from 'react';

import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { keys } from '../../api/queries';
import { ErrorNotice } from '../../components/error-notice';
import { Field, Skeleton } from '../../components/ui';
import {
  COUNT_FIELDS,
  type FigureKey,
  findPiece,
  type MetricsInput,
  MONEY_FIELDS,
  parseMetricsCsv,
  readFigures,
  validDay,
} from './metrics-csv';
import { type Campaign, type Content, platformLabel, useCampaignContent } from './queries';

const pieceLabel = (piece: Content) =>
  `${platformLabel(piece.platform)} · ${piece.topic || 'Untitled'}`;

function today(): string {
  const now = new Date();
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function useRecordMetrics(businessId: string) {
  const api = useApi();
  return (contentId: string, body: MetricsInput) =>
    unwrap(
      api.PUT('/api/v1/businesses/{businessId}/contents/{contentId}/metrics', {
        params: { path: { businessId, contentId } },
        body,
      }),
    );
}

function ByHand({ campaign, pieces }: { campaign: Campaign; pieces: Content[] }) {
  const queryClient = useQueryClient();
  const record = useRecordMetrics(campaign.businessId);
  const [pieceId, setPieceId] = useState(pieces[0]?.id ?? '');
  const [day, setDay] = useState(today);
  const [values, setValues] = useState<Partial<Record<FigureKey, string>>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (input: { contentId: string; body: MetricsInput }) =>
      record(input.contentId, input.body),
    onSuccess: async (_row, input) => {
      await queryClient.invalidateQueries({ queryKey: keys.analytics(campaign.businessId) });
      const piece = pieces.find((entry) => entry.id === input.contentId);
      setSaved(
        `Saved the figures of ${input.body.day} for ${piece ? pieceLabel(piece) : 'the piece'}.`,
      );
      setValues({});
    },
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setSaved(null);
    if (!validDay(day)) {
      setProblem('Choose the day the figures are for.');
      return;
    }
    const figures = readFigures(values);
    if (!figures.ok) {
      setProblem(figures.error);
      return;
    }
    setProblem(null);
    save.mutate({ contentId: pieceId, body: { day, source: 'manual', ...figures.figures } });
  };
  const field = (key: FigureKey, label: string, money: boolean) => (
    <Field key={key} label={label}>
      {({ id }) => (
        <input
          id={id}
          inputMode={money ? 'decimal' : 'numeric'}
          placeholder="0"
          value={values[key] ?? ''}
          onChange={(event) => {
            setValues((current) => ({ ...current, [key]: event.target.value }));
          }}
        />
      )}
    </Field>
  );
  return (
    <form className="form" onSubmit={submit} aria-label="Enter figures by hand" noValidate>
      <Field label="Piece">
        {({ id }) => (
          <select
            id={id}
            value={pieceId}
            onChange={(event) => {
              setPieceId(event.target.value);
            }}
          >
            {pieces.map((piece) => (
              <option key={piece.id} value={piece.id}>
                {pieceLabel(piece)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Day" hint="Entering a day again replaces its figures.">
        {({ id, describedBy }) => (
          <input
            id={id}
            type="date"
            value={day}
            aria-describedby={describedBy}
            onChange={(event) => {
              setDay(event.target.value);
            }}
          />
        )}
      </Field>
      <div className="metrics-fields">
        {COUNT_FIELDS.map((entry) => field(entry.key, entry.label, false))}
        {MONEY_FIELDS.map((entry) => field(entry.key, entry.label, true))}
      </div>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {save.isError && <ErrorNotice error={save.error} title="The figures were not saved" />}
      {saved && (
        <p className="muted small" role="status" data-testid="metrics-saved">
          {saved}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save figures'}
        </button>
      </div>
    </form>
  );
}

interface RowResult {
  line: number;
  piece: string;
  ok: boolean;
  message: string;
}

function FromCsv({ campaign, pieces }: { campaign: Campaign; pieces: Content[] }) {
  const queryClient = useQueryClient();
  const record = useRecordMetrics(campaign.businessId);
  const [fileError, setFileError] = useState<string | null>(null);
  const [results, setResults] = useState<RowResult[]>([]);
  const [busy, setBusy] = useState(false);

  async function upload(file: File) {
    setResults([]);
    setFileError(null);
    const parsed = parseMetricsCsv(await file.text());
    if ('error' in parsed) {
      setFileError(parsed.error);
      return;
    }
    if (parsed.rows.length === 0) {
      setFileError('The file has no rows of figures under its header.');
      return;
    }
    setBusy(true);
    const done: RowResult[] = [];
    for (const row of parsed.rows) {
      if ('error' in row) {
        done.push({ line: row.line, piece: row.piece, ok: false, message: row.error });
      } else {
        const found = findPiece(pieces, row.piece);
        if ('error' in found) {
          done.push({ line: row.line, piece: row.piece, ok: false, message: found.error });
        } else {
          try {
            await record(found.piece.id, row.metrics);
            done.push({
              line: row.line,
              piece: pieceLabel(found.piece),
              ok: true,
              message: `Saved ${row.metrics.day}`,
            });
          } catch (error) {
            done.push({
              line: row.line,
              piece: row.piece,
              ok: false,
              message: error instanceof Error ? error.message : 'Not saved',
            });
          }
        }
      }
      setResults([...done]);
    }
    setBusy(false);
    await queryClient.invalidateQueries({ queryKey: keys.analytics(campaign.businessId) });
  }

  const savedCount = results.filter((row) => row.ok).length;
  return (
    <div className="stack">
      <p className="muted small">
        One row per piece and day. The first row names the columns: <code>piece</code> (its title or
        id), <code>day</code> (YYYY-MM-DD), and any of <code>impressions</code>, <code>clicks</code>
        , <code>reactions</code>, <code>shares</code>, <code>conversions</code>, <code>spend</code>,{' '}
        <code>revenue</code> (in dollars).
      </p>
      <Field label="CSV file of figures" error={fileError ?? undefined}>
        {({ id, describedBy }) => (
          <input
            id={id}
            type="file"
            accept=".csv,text/csv"
            disabled={busy}
            aria-describedby={describedBy}
            onChange={(event) => {
              const file = event.target.files?.[0];
              event.target.value = '';
              if (file) void upload(file);
            }}
          />
        )}
      </Field>
      {busy && <Skeleton lines={1} label="Saving the rows…" />}
      {results.length > 0 && (
        <div data-testid="metrics-csv-results">
          <p role="status">
            {savedCount} of {results.length} rows saved
            {busy ? '…' : '.'}
          </p>
          <ul className="plain-list small">
            {results.map((row) => (
              <li key={row.line} className={row.ok ? undefined : 'field-error'}>
                Row {row.line} · {row.piece}: {row.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** The "Enter figures" card of the analytics tab: by hand or from a CSV file. */
export function MetricsEntry({ campaign }: { campaign: Campaign }) {
  const content = useCampaignContent(campaign.businessId, campaign.id);
  const [mode, setMode] = useState<'hand' | 'csv'>('hand');
  const pieces = content.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="metrics-entry-title" data-testid="metrics-entry">
      <h2 id="metrics-entry-title">Enter figures</h2>
      <p className="muted small">
        Impressions, clicks, conversions, spend and revenue of a piece for a day, from the
        platform’s own reports.
      </p>
      {content.isPending && <Skeleton lines={3} label="Loading the pieces…" />}
      {content.isError && (
        <ErrorNotice
          error={content.error}
          title="Could not load the campaign’s pieces"
          onRetry={() => void content.refetch()}
        />
      )}
      {content.isSuccess && pieces.length === 0 && (
        <p className="muted">This campaign has no pieces yet: figures are entered per piece.</p>
      )}
      {pieces.length > 0 && (
        <>
          <div className="toolbar" role="group" aria-label="How to enter figures">
            <button
              type="button"
              className={`button ${mode === 'hand' ? 'primary' : 'secondary'}`}
              aria-pressed={mode === 'hand'}
              onClick={() => {
                setMode('hand');
              }}
            >
              By hand
            </button>
            <button
              type="button"
              className={`button ${mode === 'csv' ? 'primary' : 'secondary'}`}
              aria-pressed={mode === 'csv'}
              onClick={() => {
                setMode('csv');
              }}
            >
              From a CSV file
            </button>
          </div>
          {mode === 'hand' ? (
            <ByHand campaign={campaign} pieces={pieces} />
          ) : (
            <FromCsv campaign={campaign} pieces={pieces} />
          )}
        </>
      )}
    </section>
  );
}
