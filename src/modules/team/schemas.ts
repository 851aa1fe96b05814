// The team API's shapes: invitations (sent, listed, accepted by link) and the members of a business.
import { z } from 'zod';

import { pageSchema } from '../../platform/http/pagination.ts';
import { ROLES } from '../../shared/permissions.ts';
import { BusinessParams } from '../businesses/index.ts';

const Role = z.enum(ROLES);

/** Trimmed and lower-cased before it is checked, as users.email is stored. */
const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email())
  .meta({ example: 'grace@example.com' });

export const INVITATION_STATUSES = [
  'pending',
  'accepted',
  'declined',
  'revoked',
  'expired',
] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** A user as a team list names them. */
export const UserRef = z
  .object({ id: z.uuid(), name: z.string(), email: z.string() })
  .meta({ id: 'UserRef' });
export type UserRef = z.infer<typeof UserRef>;

export const CreateInvitationBody = z.object({
  email: Email,
  role: Role.describe(
    'owner: everything; admin: all but deleting the business; editor: write and submit; viewer: read',
  ),
  approver: z
    .boolean()
    .default(false)
    .describe('Lets an editor or a viewer approve content and activate sequences'),
});
export type CreateInvitationBody = z.infer<typeof CreateInvitationBody>;

export const Invitation = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    businessName: z.string(),
    email: z.string(),
    role: Role,
    approver: z.boolean(),
    status: z.enum(INVITATION_STATUSES),
    invitedBy: UserRef.nullable(),
    expiresAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
    acceptUrl: z
      .string()
      .optional()
      .describe(
        'The link to give the invitee; only when no SMTP server is configured (else it is emailed)',
      ),
  })
  .meta({ id: 'Invitation' });
export type Invitation = z.infer<typeof Invitation>;

export const InvitationPage = pageSchema(Invitation);
export const InvitationList = z.object({ items: z.array(Invitation) });

export const InvitationParams = BusinessParams.extend({ invitationId: z.uuid() });

export const InvitationTokenParams = z.object({
  token: z.string().min(1).max(100).describe('The token of the invitation link'),
});

export const AcceptedInvitation = z
  .object({
    businessId: z.uuid(),
    businessName: z.string(),
    role: Role,
    approver: z.boolean(),
  })
  .meta({ id: 'AcceptedInvitation' });
export type AcceptedInvitation = z.infer<typeof AcceptedInvitation>;

export const Member = z
  .object({
    userId: z.uuid(),
    name: z.string(),
    email: z.string(),
    role: Role,
    approver: z.boolean(),
    invitedBy: UserRef.nullable(),
    joinedAt: z.iso.datetime(),
  })
  .meta({ id: 'Member' });
export type Member = z.infer<typeof Member>;

export const MemberList = z.object({ items: z.array(Member) });

export const MemberParams = BusinessParams.extend({ userId: z.uuid() });

export const UpdateMemberBody = z
  .object({ role: Role.optional(), approver: z.boolean().optional() })
  .refine(
    (body) => body.role !== undefined || body.approver !== undefined,
    'send role or approver',
  );
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;
