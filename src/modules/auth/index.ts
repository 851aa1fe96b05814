// What other modules may use of auth: the audit trail, where a request came from, the random
// token every secret Herald hands out is made of, and ending a disabled account's access.
export type { AuditTrail, RequestOrigin } from './audit.ts';
export { randomToken } from './credentials.ts';
export { originOf } from './routes.ts';
export type { AccountAccess } from './service.ts';
