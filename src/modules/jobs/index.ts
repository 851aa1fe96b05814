// What other modules may use of jobs: the job kinds they declare, the service that starts them,
// and the job as the API shows it.
export { Job, JobEnvelope } from './schemas.ts';
export type { JobKind, JobService } from './service.ts';
