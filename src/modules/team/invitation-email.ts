// The email that carries an invitation link when SMTP is configured: plain text saying who
// invited whom to which business, with which role, and until when the link works.
import type { Role } from '../../shared/permissions.ts';

const ROLE_MEANING: Record<Role, string> = {
  owner: 'an owner: everything, including the team and deleting the business',
  admin: 'an admin: everything except deleting the business',
  editor: 'an editor: write campaigns and content and submit them for review',
  viewer: 'a viewer: see everything, change nothing',
};

export function invitationEmail(invitation: {
  inviterName: string;
  inviterEmail: string;
  businessName: string;
  role: Role;
  approver: boolean;
  acceptUrl: string;
  expiresAt: Date;
}) {
  const approver = invitation.approver ? ' You may also approve content before it goes out.' : '';
  const until = invitation.expiresAt.toUTCString();
  return {
    subject: `${invitation.inviterName} invited you to ${invitation.businessName} on Herald`,
    text:
      `${invitation.inviterName} (${invitation.inviterEmail}) invited you to join ` +
      `${invitation.businessName} on Herald as ${ROLE_MEANING[invitation.role]}.${approver}\n\n` +
      `To accept, open this link and sign in (or create an account) with this email address:\n` +
      `${invitation.acceptUrl}\n\n` +
      `The link works until ${until}, once. If you did not expect this, ignore this email: ` +
      `nothing happens unless you accept.\n`,
  };
}
