// Which model wrote a piece, and what became of its draft: the port the AI quality figures read
// (modules/ai-usage declares the interface; runtime.ts hands it this). Only the content job
// writes `ai` versions; the ai_calls row of that job's successful content-piece call, the last
// one before the version was saved, names its provider and model. Herald has no prompt versions
// yet, so `promptVersion` is null. The caller has checked access.
import { sql } from 'drizzle-orm';

import { contentPieceTask } from '../../ai/tasks.ts';
import type { Executor } from '../../platform/db/client.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import { bodySchemaOf, type Platform } from './platforms.ts';

export interface DraftProvenance {
  task: string;
  provider: string | null;
  model: string | null;
  promptVersion: string | null;
}

/** An AI-written piece that reached approval: its last AI draft and the text approved. */
export interface ApprovedDraft {
  contentId: string;
  provenance: DraftProvenance;
  draftText: string;
  approvedText: string;
  approvedAt: Date;
}

/** Statuses a piece only reaches through approval, with the approved text still current. */
const APPROVED_STATUSES = ['approved', 'scheduled', 'published', 'failed'];

/**
 * The whole text of a body, field by field in the platform's order (an email's subject,
 * preheader and body; an ad's headlines and descriptions), so any edit shows in the comparison.
 */
export function comparableText(platform: string, body: Record<string, unknown>): string {
  const schema = bodySchemaOf(platform as Platform) as unknown as { shape?: object };
  const keys = schema.shape ? Object.keys(schema.shape) : Object.keys(body).sort();
  return keys
    .map((key) => {
      const value = body[key];
      if (typeof value === 'string') return value;
      if (Array.isArray(value)) return value.filter((item) => typeof item === 'string').join('\n');
      return '';
    })
    .join('\n\n');
}

interface Row {
  content_id: string;
  platform: string;
  task: string | null;
  provider: string | null;
  model: string | null;
}

const provenanceOf = (row: Row): DraftProvenance => ({
  task: row.task ?? contentPieceTask.name,
  provider: row.provider,
  model: row.model,
  promptVersion: null,
});

/** The call that wrote `draft`: its job's last successful content-piece call before it. */
const WRITER_CALL = sql`
  LEFT JOIN LATERAL (
    SELECT a.task, a.provider, a.model FROM ai_calls a
    WHERE a.job_id = draft.job_id AND a.business_id = c.business_id
      AND a.task = ${contentPieceTask.name} AND a.outcome = 'success'
      AND a.created_at <= draft.created_at
    ORDER BY a.created_at DESC LIMIT 1
  ) call ON true`;

export function createContentProvenance(db: Executor) {
  return {
    /**
     * The provenance of the piece's last AI draft: undefined when the business has no such
     * piece, null when no AI ever wrote it.
     */
    async provenance(
      businessId: string,
      contentId: string,
    ): Promise<DraftProvenance | null | undefined> {
      const result = await db.execute(sql`
        SELECT c.id AS content_id, c.platform, draft.version IS NOT NULL AS has_draft,
               call.task, call.provider, call.model
        FROM contents c
        LEFT JOIN LATERAL (
          SELECT v.version, v.job_id, v.created_at FROM content_versions v
          WHERE v.content_id = c.id AND v.source = 'ai' AND v.version <= c.current_version
          ORDER BY v.version DESC LIMIT 1
        ) draft ON true
        ${WRITER_CALL}
        WHERE c.business_id = ${businessId}::uuid AND c.id = ${contentId}::uuid`);
      const [row] = rowsOf<Row & { has_draft: boolean }>(result);
      if (!row) return undefined;
      return row.has_draft ? provenanceOf(row) : null;
    },

    /**
     * AI-written pieces approved since `since` whose approved text is still current (approved,
     * scheduled, published or failed: an edit after approval sends a piece back to draft), each
     * with its last AI draft before the approved version.
     */
    async approvedSince(businessId: string, since: Date): Promise<ApprovedDraft[]> {
      const statuses = sql.join(
        APPROVED_STATUSES.map((status) => sql`${status}`),
        sql`, `,
      );
      const result = await db.execute(sql`
        SELECT c.id AS content_id, c.platform, draft.body AS draft_body,
               approved.body AS approved_body, approval.at AS approved_at,
               call.task, call.provider, call.model
        FROM contents c
        JOIN LATERAL (
          SELECT max(t.created_at) AS at FROM content_transitions t
          WHERE t.content_id = c.id AND t.to_status = 'approved'
        ) approval ON approval.at >= ${since.toISOString()}::timestamptz
        JOIN content_versions approved
          ON approved.content_id = c.id AND approved.version = c.current_version
        JOIN LATERAL (
          SELECT v.body, v.job_id, v.created_at FROM content_versions v
          WHERE v.content_id = c.id AND v.source = 'ai' AND v.version <= c.current_version
          ORDER BY v.version DESC LIMIT 1
        ) draft ON true
        ${WRITER_CALL}
        WHERE c.business_id = ${businessId}::uuid AND c.status IN (${statuses})
        ORDER BY approval.at, c.id`);
      const rows = rowsOf<
        Row & {
          draft_body: Record<string, unknown>;
          approved_body: Record<string, unknown>;
          approved_at: Date | string;
        }
      >(result);
      return rows.map((row) => ({
        contentId: row.content_id,
        provenance: provenanceOf(row),
        draftText: comparableText(row.platform, row.draft_body),
        approvedText: comparableText(row.platform, row.approved_body),
        approvedAt: new Date(row.approved_at),
      }));
    },
  };
}

export type ContentProvenance = ReturnType<typeof createContentProvenance>;
