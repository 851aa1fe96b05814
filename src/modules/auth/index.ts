// What other modules may use of auth: the audit trail, where a request came from, the random
// token every secret Herald hands out is made of, the hash under which such a token is kept, and
// ending a disabled account's access.
export type { AuditTrail, RequestOrigin } from './audit.ts';
export { randomToken, tokenHash } from './credentials.ts';
export { originOf } from './routes.ts';
export type { AccountAccess } from './service.ts';
