// What other modules may use of jobs: the job kinds they declare (with what each works on), the
// service that starts them, and the job as the API shows it.
export { Job, JobEnvelope } from './schemas.ts';
export {
  idField,
  type JobKind,
  type JobRunContext,
  type JobService,
  type JobSubjectSource,
} from './service.ts';
