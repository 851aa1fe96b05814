// The business's blocks by name, for `{% render 'name' %}`.
import { and, eq } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { emailTemplates } from '../../platform/db/schema/broadcasts.ts';
import type { Block } from './blocks.ts';

export async function blocksOf(db: Executor, businessId: string): Promise<Map<string, Block>> {
  const rows = await db
    .select({ name: emailTemplates.name, html: emailTemplates.html, text: emailTemplates.text })
    .from(emailTemplates)
    .where(and(eq(emailTemplates.businessId, businessId), eq(emailTemplates.kind, 'block')));
  return new Map(rows.map((row) => [row.name, { html: row.html, text: row.text }]));
}
