// The CSV import's preview: the header and first rows of the picked file, read in the browser
// with the parser the server imports with (same options), and what each column becomes — a
// guess from its header ("E-mail", "First Name", "firstname"…) the user can change. The mapping
// is sent with the file; the server applies it, so a large file is never rewritten here.
import type { ImportColumn } from './subscriber-queries';

export type Target =
  'email' | 'firstName' | 'lastName' | 'consentStatus' | 'source' | 'attribute' | 'skip';

/** What one column of the file becomes; `attribute` names the custom attribute it fills. */
export interface ColumnChoice {
  target: Target;
  attribute: string;
}

export const TARGET_LABELS: Record<Target, string> = {
  email: 'Email',
  firstName: 'First name',
  lastName: 'Last name',
  consentStatus: 'Consent status',
  source: 'Source',
  attribute: 'Custom attribute',
  skip: 'Don’t import',
};

/** Rows shown under the header. */
const PREVIEW_ROWS = 5;
/** The longest attribute name the server takes. */
const ATTRIBUTE_NAME_MAX = 64;

export interface CsvPreview {
  headers: string[];
  /** Up to PREVIEW_ROWS rows, each padded or cut to the header's width. */
  rows: string[][];
}

/** The header and first rows of `csv`; throws when the file has no header row. */
export async function readPreview(csv: string): Promise<CsvPreview> {
  // Loaded when a file is picked, not with the page.
  const { parse } = await import('csv-parse/browser/esm/sync');
  let records: string[][];
  try {
    records = parse(csv, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      // Stops reading there: the rest of a large file is not parsed twice.
      to: PREVIEW_ROWS + 1,
    });
  } catch (error) {
    throw new Error(
      `That file could not be read as CSV (${error instanceof Error ? error.message : String(error)}).`,
      { cause: error },
    );
  }
  const [headers, ...rows] = records;
  if (!headers || headers.every((header) => header === ''))
    throw new Error('That file has no header row.');
  return {
    headers,
    rows: rows.map((row) => headers.map((_, column) => row[column] ?? '')),
  };
}

/** The header as compared with known names: lower case, letters and digits only. */
function squash(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const KNOWN: Record<string, Exclude<Target, 'attribute' | 'skip'>> = {
  email: 'email',
  emailaddress: 'email',
  mail: 'email',
  firstname: 'firstName',
  first: 'firstName',
  givenname: 'firstName',
  forename: 'firstName',
  fname: 'firstName',
  lastname: 'lastName',
  last: 'lastName',
  surname: 'lastName',
  familyname: 'lastName',
  lname: 'lastName',
  consent: 'consentStatus',
  consentstatus: 'consentStatus',
  status: 'consentStatus',
  subscriptionstatus: 'consentStatus',
  source: 'source',
  signupsource: 'source',
};

/**
 * A first choice for each column from its header: a known name fills its field (the first
 * column of that name does; a later one becomes an attribute), a blank header is skipped, any
 * other column becomes an attribute named as its header.
 */
export function guessColumns(headers: string[]): ColumnChoice[] {
  const taken = new Set<Target>();
  return headers.map((header) => {
    const attribute = header.trim().slice(0, ATTRIBUTE_NAME_MAX);
    if (attribute === '') return { target: 'skip', attribute };
    const known = KNOWN[squash(header)];
    if (known && !taken.has(known)) {
      taken.add(known);
      return { target: known, attribute };
    }
    return { target: 'attribute', attribute };
  });
}

/** Why the mapping cannot be imported (no email, a field filled twice…), or null. */
export function mappingProblem(choices: ColumnChoice[], headers: string[]): string | null {
  const named = (column: number) => `“${headers[column] ?? ''}”`;
  const emails = choices.filter((choice) => choice.target === 'email').length;
  if (emails === 0) return 'Choose the column that holds the email address.';
  const seen = new Map<string, number>();
  for (const [column, choice] of choices.entries()) {
    if (choice.target === 'skip') continue;
    if (choice.target === 'attribute' && choice.attribute.trim() === '')
      return `Name the custom attribute for column ${named(column)}.`;
    const key =
      choice.target === 'attribute' ? `attribute:${choice.attribute.trim()}` : choice.target;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const what =
        choice.target === 'attribute'
          ? `the custom attribute “${choice.attribute.trim()}”`
          : TARGET_LABELS[choice.target];
      return `Columns ${named(earlier)} and ${named(column)} both go to ${what}: choose one, or set the other to “Don’t import”.`;
    }
    seen.set(key, column);
  }
  return null;
}

/** The mapping as the import API takes it: one entry per column, in order. */
export function toImportColumns(choices: ColumnChoice[]): ImportColumn[] {
  return choices.map((choice) =>
    choice.target === 'attribute' ? { attribute: choice.attribute.trim() } : choice.target,
  );
}
