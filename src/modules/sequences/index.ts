// What other modules (and the composition root) may use of sequences: the listeners that let
// customer data enroll subscribers, end enrollments and resolve waits.
export { createSequenceTriggers, type SequenceTriggers } from './triggers.ts';
