// Figures typed into the analytics tab or read from a CSV file, turned into the body of the
// metrics endpoint (one row per piece, day and source). Money is typed in dollars and sent in
// cents; a CSV row names its piece by id or by title, and a row that cannot be read says why.
import { parseMoney } from '../../format/money';

export interface MetricsInput {
  day: string;
  source: string;
  impressions: number;
  clicks: number;
  reactions: number;
  shares: number;
  conversions: number;
  spendCents: number;
  revenueCents: number;
}

export const COUNT_FIELDS = [
  { key: 'impressions', label: 'Impressions' },
  { key: 'clicks', label: 'Clicks' },
  { key: 'reactions', label: 'Reactions' },
  { key: 'shares', label: 'Shares' },
  { key: 'conversions', label: 'Conversions' },
] as const;
export const MONEY_FIELDS = [
  { key: 'spendCents', label: 'Spend ($)', column: 'spend' },
  { key: 'revenueCents', label: 'Revenue ($)', column: 'revenue' },
] as const;

export type FigureKey = (typeof COUNT_FIELDS)[number]['key'] | (typeof MONEY_FIELDS)[number]['key'];

/** Text of the form's fields (or a CSV row's cells) as figures, or the first problem. */
export function readFigures(
  values: Partial<Record<FigureKey, string>>,
): { ok: true; figures: Omit<MetricsInput, 'day' | 'source'> } | { ok: false; error: string } {
  const figures: Record<string, number> = {};
  for (const field of COUNT_FIELDS) {
    const text = (values[field.key] ?? '').trim().replace(/[,\s]/g, '');
    if (text === '') {
      figures[field.key] = 0;
      continue;
    }
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      return { ok: false, error: `${field.label}: enter a whole number, 0 or more` };
    }
    figures[field.key] = Number(text);
  }
  for (const field of MONEY_FIELDS) {
    const parsed = parseMoney(values[field.key] ?? '');
    if (!parsed.ok)
      return { ok: false, error: `${field.label.replace(' ($)', '')}: ${parsed.error}` };
    figures[field.key] = parsed.cents ?? 0;
  }
  return { ok: true, figures: figures as Omit<MetricsInput, 'day' | 'source'> };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function validDay(day: string): boolean {
  if (!DAY.test(day)) return false;
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(day);
}

/** One line of CSV into cells: commas separate, double quotes enclose, "" is a quote. */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line.charAt(index);
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  cells.push(cell);
  return cells.map((value) => value.trim());
}

export type CsvRow =
  | { line: number; piece: string; metrics: MetricsInput }
  | { line: number; piece: string; error: string };

const PIECE_COLUMNS = ['piece', 'piece id', 'content id', 'contentid', 'title', 'topic'];
const DAY_COLUMNS = ['day', 'date'];

/** The rows of a figures CSV (a header row first), or why the file cannot be read at all. */
export function parseMetricsCsv(text: string): { rows: CsvRow[] } | { error: string } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((name) => name.toLowerCase());
  const pieceAt = header.findIndex((name) => PIECE_COLUMNS.includes(name));
  const dayAt = header.findIndex((name) => DAY_COLUMNS.includes(name));
  if (pieceAt < 0 || dayAt < 0) {
    return {
      error:
        'The first row must name the columns, with at least “piece” (its title or id) and “day” (YYYY-MM-DD).',
    };
  }
  const columnOf = (name: string) => header.indexOf(name);
  const rows: CsvRow[] = [];
  lines.slice(1).forEach((raw, index) => {
    if (raw.trim() === '') return;
    const line = index + 2;
    const cells = splitCsvLine(raw);
    const piece = cells[pieceAt] ?? '';
    const day = cells[dayAt] ?? '';
    if (piece === '') {
      rows.push({ line, piece, error: 'No piece named' });
      return;
    }
    if (!validDay(day)) {
      rows.push({ line, piece, error: `“${day}” is not a day like 2026-03-02` });
      return;
    }
    const values: Partial<Record<FigureKey, string>> = {};
    for (const field of COUNT_FIELDS) values[field.key] = cells[columnOf(field.key)] ?? '';
    for (const field of MONEY_FIELDS) values[field.key] = cells[columnOf(field.column)] ?? '';
    const figures = readFigures(values);
    if (!figures.ok) {
      rows.push({ line, piece, error: figures.error });
      return;
    }
    rows.push({ line, piece, metrics: { day, source: 'manual', ...figures.figures } });
  });
  return { rows };
}

/** The piece a CSV row names: by id, else by its one title (two pieces with it is ambiguous). */
export function findPiece<Piece extends { id: string; topic: string }>(
  pieces: readonly Piece[],
  ref: string,
): { piece: Piece } | { error: string } {
  const byId = pieces.find((piece) => piece.id === ref);
  if (byId) return { piece: byId };
  const wanted = ref.trim().toLowerCase();
  const byTitle = pieces.filter((piece) => piece.topic.trim().toLowerCase() === wanted);
  if (byTitle.length === 1 && byTitle[0]) return { piece: byTitle[0] };
  if (byTitle.length > 1)
    return { error: `${byTitle.length} pieces are titled “${ref}”: use its id` };
  return { error: `No piece of this campaign is titled “${ref}”` };
}
