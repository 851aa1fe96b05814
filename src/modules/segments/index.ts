// What other modules may use of segments: the contract of a segment-entry listener (a sequence
// triggered by entering a segment implements it; the composition root wires it), a lookup of a
// segment in its business, and the segment routes' path parameters.
import type { Executor } from '../../platform/db/client.ts';

export interface SegmentEntry {
  businessId: string;
  segmentId: string;
  /** The customers that entered the segment in this refresh. */
  customerIds: string[];
}

export interface SegmentEntryListener {
  readonly name: string;
  /** Runs inside the refresh's transaction. */
  onEntered(tx: Executor, entry: SegmentEntry): Promise<void>;
}

/** Finds a segment in its business (for a segment trigger or a broadcast's audience). */
export { createSegmentLookup, type SegmentLookup, type SegmentSummary } from './lookup.ts';
/** The path parameters of a segment's routes. */
export { SegmentParams } from './schemas.ts';
/** The rule document (validation, types), its plain-words reading, and the service's type. */
export { describeRules } from './describe.ts';
export { SegmentRules } from './schemas.ts';
export type { SegmentService } from './service.ts';
