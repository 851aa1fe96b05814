// What other modules may use of team: nothing yet. The composition root builds its service and
// routes, and wires the `MemberKeys` port it declares (service.ts) to auth.
export type { MemberKeys } from './service.ts';
