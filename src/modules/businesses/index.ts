// What other modules may use of businesses: the membership check every service asks first (and
// the membership it answers, or the refusal it makes), and the `{businessId}` path parameters.
export { type BusinessAccess, forbiddenFor, type Membership } from './access.ts';
export { BusinessParams } from './schemas.ts';
