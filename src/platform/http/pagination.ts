// Cursor pagination shared by every list endpoint: `?limit=&cursor=` in, `{ items, nextCursor }`
// out. The cursor is the sort key of the last item, opaque to clients (base64url JSON).
import { z } from 'zod';

import { AppError } from './errors.ts';

export const PaginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});
export type PaginationQuery = z.infer<typeof PaginationQuery>;

/** The position after which the next page starts: newest first, ties broken by id. */
export interface Position {
  createdAt: Date;
  id: string;
}

// `i` is an id, or an event's messageId (the debugger's tie-break), which senders choose.
const PositionJson = z.object({ t: z.iso.datetime(), i: z.string().max(256) });

export function encodeCursor(position: Position): string {
  return Buffer.from(
    JSON.stringify({ t: position.createdAt.toISOString(), i: position.id }),
  ).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Position | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = PositionJson.parse(
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')),
    );
    return { createdAt: new Date(parsed.t), id: parsed.i };
  } catch {
    throw new AppError('VALIDATION_ERROR', 'Invalid cursor', {
      details: {
        issues: [{ path: 'querystring.cursor', message: 'not a cursor this API issued' }],
      },
    });
  }
}

/** What a repository's list query takes: how many rows, and the position to start after. */
export interface PageRequest {
  limit: number;
  after: Position | undefined;
}

export function pageRequest(query: PaginationQuery): PageRequest {
  return { limit: query.limit, after: decodeCursor(query.cursor) };
}

/** Given `limit + 1` rows, returns the page and the cursor of the next one. */
export function pageOf<T extends Position>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/** Reads the page `query` asks for with `read` (which returns `limit + 1` rows) and maps its rows. */
export async function readPage<Row, Item>(
  query: PaginationQuery,
  read: (page: PageRequest) => Promise<(Row & Position)[]>,
  toItem: (row: Row) => Item,
): Promise<{ items: Item[]; nextCursor: string | null }> {
  const page = pageOf(await read(pageRequest(query)), query.limit);
  return { items: page.items.map(toItem), nextCursor: page.nextCursor };
}

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
