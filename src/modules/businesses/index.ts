// What other modules may use of businesses: the ownership check every service asks first, and the
// `{businessId}` path parameters.
export { type BusinessAccess, forbiddenFor, type Membership } from './access.ts';
export { BusinessParams } from './schemas.ts';
