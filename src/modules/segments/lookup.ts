// What other modules read of a segment (a sequence's segment trigger, a broadcast's audience):
// the segment itself, found in its business, without reaching into the repository.
import type { Executor } from '../../platform/db/client.ts';
import { createSegmentRepository } from './repository.ts';

export interface SegmentSummary {
  id: string;
  name: string;
  size: number;
  refreshedAt: Date | null;
}

export function createSegmentLookup(db: Executor) {
  const repository = createSegmentRepository(db);
  return {
    /** The segment, when it belongs to the business. */
    async find(businessId: string, segmentId: string): Promise<SegmentSummary | undefined> {
      const row = await repository.find(businessId, segmentId);
      return row && { id: row.id, name: row.name, size: row.size, refreshedAt: row.refreshedAt };
    },
  };
}

export type SegmentLookup = ReturnType<typeof createSegmentLookup>;
