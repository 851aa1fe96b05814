// SQL for campaigns and their strategy versions. Queries are scoped by business, except the
// strategy job's version bump in `insertStrategy`, after `lockForNewVersion` has found the
// campaign in its business: it takes the campaign's id alone.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { preparedKeysetList } from '../../platform/db/prepared.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import { campaigns, campaignStrategies } from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type CampaignRow = typeof campaigns.$inferSelect;
export type NewCampaign = typeof campaigns.$inferInsert;
export type StrategyRow = typeof campaignStrategies.$inferSelect;

export function createCampaignRepository(db: Executor) {
  const listPage = preparedKeysetList(
    'campaigns_list',
    () => db.select().from(campaigns).$dynamic(),
    campaigns,
    eq(campaigns.businessId, sql.placeholder('businessId')),
    { status: campaigns.status },
  );
  return {
    async insert(values: NewCampaign): Promise<CampaignRow> {
      return returnedRow(await db.insert(campaigns).values(values).returning());
    },

    async find(businessId: string, id: string): Promise<CampaignRow | undefined> {
      const [row] = await db
        .select()
        .from(campaigns)
        .where(and(eq(campaigns.id, id), eq(campaigns.businessId, businessId)));
      return row;
    },

    async names(businessId: string, ids: string[]): Promise<{ id: string; name: string }[]> {
      if (ids.length === 0) return [];
      return db
        .select({ id: campaigns.id, name: campaigns.name })
        .from(campaigns)
        .where(and(eq(campaigns.businessId, businessId), inArray(campaigns.id, ids)));
    },

    async list(
      businessId: string,
      page: PageRequest,
      status: string | undefined,
    ): Promise<CampaignRow[]> {
      return listPage({ businessId }, { status }, page);
    },

    async update(
      businessId: string,
      id: string,
      values: Partial<NewCampaign>,
    ): Promise<CampaignRow | undefined> {
      const [row] = await db
        .update(campaigns)
        .set({ ...values, updatedAt: sql`now()` })
        .where(and(eq(campaigns.id, id), eq(campaigns.businessId, businessId)))
        .returning();
      return row;
    },

    /** draft → active; anything else is left as the marketer set it. */
    async activateIfDraft(businessId: string, id: string): Promise<boolean> {
      const rows = await db
        .update(campaigns)
        .set({ status: 'active', updatedAt: sql`now()` })
        .where(
          and(
            eq(campaigns.id, id),
            eq(campaigns.businessId, businessId),
            eq(campaigns.status, 'draft'),
          ),
        )
        .returning({ id: campaigns.id });
      return rows.length > 0;
    },

    async remove(businessId: string, id: string): Promise<boolean> {
      const rows = await db
        .delete(campaigns)
        .where(and(eq(campaigns.id, id), eq(campaigns.businessId, businessId)))
        .returning({ id: campaigns.id });
      return rows.length > 0;
    },

    async strategies(businessId: string, campaignId: string): Promise<StrategyRow[]> {
      return db
        .select()
        .from(campaignStrategies)
        .where(
          and(
            eq(campaignStrategies.businessId, businessId),
            eq(campaignStrategies.campaignId, campaignId),
          ),
        )
        .orderBy(desc(campaignStrategies.version));
    },

    /** Takes the next version number under a row lock, so two jobs cannot both take it. */
    async lockForNewVersion(businessId: string, campaignId: string): Promise<number | undefined> {
      const [row] = await db
        .select({ version: campaigns.strategyVersion })
        .from(campaigns)
        .where(and(eq(campaigns.id, campaignId), eq(campaigns.businessId, businessId)))
        .for('update');
      return row ? row.version + 1 : undefined;
    },

    async insertStrategy(values: typeof campaignStrategies.$inferInsert): Promise<StrategyRow> {
      const row = returnedRow(await db.insert(campaignStrategies).values(values).returning());
      await db
        .update(campaigns)
        .set({ strategyVersion: values.version, updatedAt: sql`now()` })
        .where(eq(campaigns.id, values.campaignId));
      return row;
    },
  };
}

export type CampaignRepository = ReturnType<typeof createCampaignRepository>;
