// Request and response shapes of subscribers, their CSV imports and the suppression list.
import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';

export const ConsentStatus = z.enum(['subscribed', 'unsubscribed', 'pending']);
export const SuppressionReason = z.enum(['unsubscribed', 'bounced', 'complained', 'manual']);

/** Trimmed and lower-cased, so `Ann@Example.com ` and `ann@example.com` are one subscriber. */
export const EmailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email().max(254))
  .meta({ example: 'ann@example.com' });

/** Limits of a subscriber's attributes, the same for the API and CSV imports. */
export const ATTRIBUTES_MAX_BYTES = 16_384;
export const ATTRIBUTES_MAX_DEPTH = 8;

/**
 * Why `value` cannot be stored as attributes, or undefined. Walks the value with an explicit
 * stack and stops at the depth limit, so a body nested thousands of levels deep is refused
 * without recursion; only a value within the limit is serialised to measure its size. NUL is
 * refused because PostgreSQL cannot store it in jsonb.
 */
function attributesProblem(value: Record<string, unknown>): string | undefined {
  const pending: { node: unknown; depth: number }[] = [{ node: value, depth: 1 }];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { node, depth } = item;
    if (typeof node === 'string') {
      if (node.includes('\0')) return 'attributes cannot contain a NUL character';
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    if (depth > ATTRIBUTES_MAX_DEPTH)
      return `attributes are limited to ${String(ATTRIBUTES_MAX_DEPTH)} levels of nesting`;
    for (const [key, child] of Object.entries(node)) {
      if (key.includes('\0')) return 'attribute names cannot contain a NUL character';
      pending.push({ node: child, depth: depth + 1 });
    }
  }
  if (JSON.stringify(value).length > ATTRIBUTES_MAX_BYTES) return 'attributes are limited to 16 KB';
  return undefined;
}

const Attributes = z
  .record(z.string().min(1).max(64), z.unknown())
  .superRefine((value, ctx) => {
    const problem = attributesProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ example: { plan: 'pro', city: 'Lyon' } });

export const BusinessParams = z.object({ businessId: z.uuid() });
export const SubscriberParams = z.object({ businessId: z.uuid(), subscriberId: z.uuid() });

export const CreateSubscriberBody = z.object({
  email: EmailAddress,
  firstName: z.string().trim().max(120).optional(),
  lastName: z.string().trim().max(120).optional(),
  attributes: Attributes.optional(),
  consentStatus: ConsentStatus.default('subscribed'),
  source: z.string().trim().min(1).max(60).default('api'),
});
export type CreateSubscriberBody = z.infer<typeof CreateSubscriberBody>;

export const UpdateSubscriberBody = z
  .object({
    email: EmailAddress,
    firstName: z.string().trim().max(120).nullable(),
    lastName: z.string().trim().max(120).nullable(),
    attributes: Attributes,
    consentStatus: ConsentStatus,
  })
  .partial();
export type UpdateSubscriberBody = z.infer<typeof UpdateSubscriberBody>;

export const Subscriber = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    email: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    consentStatus: ConsentStatus,
    source: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    /** The customer profile (from events) that is this subscriber, by email. */
    customerId: z.uuid().nullable(),
  })
  .meta({ id: 'Subscriber' });
export type Subscriber = z.infer<typeof Subscriber>;

export const SubscriberPage = pageSchema(Subscriber).meta({ id: 'SubscriberPage' });

export const SubscriberListQuery = PaginationQuery.extend({
  search: z.string().trim().max(254).optional().describe('Part of the email address or name'),
  consentStatus: ConsentStatus.optional(),
});
export type SubscriberListQuery = z.infer<typeof SubscriberListQuery>;

/** At most this many columns in an imported CSV file: more is refused before it is stored. */
export const IMPORT_MAX_COLUMNS = 100;
const COLUMN_NAME_MAX = 64;

/**
 * The header row of `csv`: how many columns it has, or why it is refused (too many columns, a
 * name too long). Reads only as far as the limits allow, so a million-column header costs a few
 * hundred characters of scanning, not a parse. Blank lines before it are passed over, as the
 * import's parser does.
 */
function scanCsvHeader(csv: string): { columns: number; problem?: string } {
  let columns = 1;
  let name = '';
  let quoted = false;
  // Whether the line read so far has nothing but white space.
  let blank = true;
  const tooLong = () => ({
    columns,
    problem: `column ${String(columns)} of the header row has a name longer than ${String(COLUMN_NAME_MAX)} characters`,
  });
  const nameTooLong = () => name.replace(/^\uFEFF/, '').trim().length > COLUMN_NAME_MAX;
  for (let i = 0; i < csv.length; i++) {
    const char = csv.charAt(i);
    if (quoted && char === '"' && csv.charAt(i + 1) === '"') {
      name += char;
      i += 1;
    } else if (char === '"') {
      quoted = !quoted;
      blank = false;
    } else if (!quoted && (char === '\n' || char === '\r')) {
      if (!blank || columns > 1 || name.replace(/^\uFEFF/, '').trim() !== '') break;
      name = '';
    } else if (!quoted && char === ',') {
      if (nameTooLong()) return tooLong();
      columns += 1;
      name = '';
      if (columns > IMPORT_MAX_COLUMNS)
        return {
          columns,
          problem: `the file has more than ${String(IMPORT_MAX_COLUMNS)} columns; at most ${String(IMPORT_MAX_COLUMNS)} can be imported`,
        };
    } else {
      name += char;
      // However padded, a name this long is over the limit: stop reading.
      if (name.length > 4 * COLUMN_NAME_MAX) return tooLong();
    }
  }
  return nameTooLong() ? tooLong() : { columns };
}

/** Why the header row of `csv` is refused (too many columns, a name too long), or undefined. */
export function csvHeaderProblem(csv: string): string | undefined {
  return scanCsvHeader(csv).problem;
}

/** The subscriber fields a CSV column can fill. */
export const ImportField = z.enum(['email', 'firstName', 'lastName', 'consentStatus', 'source']);
export type ImportField = z.infer<typeof ImportField>;

/** What one column of the file becomes: a subscriber field, a custom attribute, or nothing. */
export const ImportColumn = z
  .union([
    ImportField,
    z.literal('skip'),
    z.object({ attribute: z.string().trim().min(1).max(COLUMN_NAME_MAX) }),
  ])
  .meta({ id: 'SubscriberImportColumn' });
export type ImportColumn = z.infer<typeof ImportColumn>;

/** Why `columns` cannot map the header row of `csv`, or undefined. */
export function importColumnsProblem(csv: string, columns: ImportColumn[]): string | undefined {
  const header = scanCsvHeader(csv);
  if (header.problem) return undefined; // the csv field reports it
  if (columns.length !== header.columns)
    return `columns maps ${String(columns.length)} column${columns.length === 1 ? '' : 's'} but the header row has ${String(header.columns)}`;
  const targets = columns
    .filter((column) => column !== 'skip')
    .map((column) => (typeof column === 'string' ? column : `attribute "${column.attribute}"`));
  if (!targets.includes('email')) return 'one column must be mapped to email';
  const repeated = targets.find((target, index) => targets.indexOf(target) !== index);
  if (repeated !== undefined) return `more than one column is mapped to ${repeated}`;
  return undefined;
}

export const ImportBody = z
  .object({
    csv: z
      .string()
      .min(1)
      .superRefine((csv, ctx) => {
        const problem = csvHeaderProblem(csv);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe(
        `The CSV text. Header row required (at most ${String(IMPORT_MAX_COLUMNS)} columns, names up to ${String(COLUMN_NAME_MAX)} characters). Without \`columns\`, an \`email\` column is required; first_name/firstName, last_name/lastName, consent_status and source are read, other columns become attributes. Each row is checked like a subscriber created through the API (first and last name up to 120 characters, attributes up to 16 KB); a row that fails, is longer than 64 KB or contains a NUL character is skipped and reported.`,
      )
      .meta({ example: 'email,first_name,plan\nann@example.com,Ann,pro\n' }),
    columns: z
      .array(ImportColumn)
      .max(IMPORT_MAX_COLUMNS)
      .optional()
      .describe(
        'What each column of the header row becomes, in order (one entry per column): a subscriber field (`email`, `firstName`, `lastName`, `consentStatus`, `source`), `{ "attribute": name }`, or `skip`. Exactly one column must be `email`, and no field or attribute may be filled by two columns. Without it, columns are read by their header names.',
      )
      .meta({ example: ['email', 'firstName', { attribute: 'plan' }] }),
  })
  .superRefine(({ csv, columns }, ctx) => {
    if (columns === undefined) return;
    const problem = importColumnsProblem(csv, columns);
    if (problem) ctx.addIssue({ code: 'custom', path: ['columns'], message: problem });
  });
export type ImportBody = z.infer<typeof ImportBody>;

export const ImportResult = z
  .object({
    rows: z.number().int(),
    imported: z.number().int(),
    updated: z.number().int(),
    skipped: z.number().int(),
    errorCount: z.number().int(),
    errors: z.array(z.object({ row: z.number().int(), reason: z.string() })),
  })
  .meta({ id: 'SubscriberImportResult' });
export type ImportResult = z.infer<typeof ImportResult>;

export const Suppression = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    email: z.string(),
    reason: SuppressionReason,
    createdAt: z.string(),
  })
  .meta({ id: 'Suppression' });
export type Suppression = z.infer<typeof Suppression>;

export const SuppressionPage = pageSchema(Suppression).meta({ id: 'SuppressionPage' });

export const CreateSuppressionBody = z.object({
  email: EmailAddress,
  reason: SuppressionReason.default('manual'),
});

export const RemoveSuppressionBody = z.object({
  email: EmailAddress,
  note: z
    .string()
    .trim()
    .min(3)
    .max(500)
    .describe('Why the address may be emailed again (kept in the log with who removed it)'),
});

export const SuppressionRemoval = z
  .object({
    email: z.string(),
    reason: SuppressionReason.describe('Why it had been suppressed'),
    note: z.string(),
    removedAt: z.string(),
  })
  .meta({ id: 'SuppressionRemoval' });
export type SuppressionRemoval = z.infer<typeof SuppressionRemoval>;
