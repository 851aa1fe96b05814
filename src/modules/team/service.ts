// The team of a business: invitations by email (a link carrying a random token, of which only
// the hash is kept; emailed when SMTP is configured, else handed to the inviter), accepting and
// declining them, and changing or removing members. The rules: only an owner may make, change or
// remove an owner; a business always keeps at least one owner; anyone may leave (but the last
// owner). Every change of who may reach a business forgets the cached membership at once, and a
// removed member's business API keys are revoked.
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, conflict, found, notFound } from '../../platform/http/errors.ts';
import { type PaginationQuery, readPage } from '../../platform/http/pagination.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Mailer } from '../../platform/mailer.ts';
import { isRole, type Role } from '../../shared/permissions.ts';
import { type AuditTrail, randomToken, type RequestOrigin, tokenHash } from '../auth/index.ts';
import type { BusinessAccess, Membership } from '../businesses/index.ts';
import { invitationEmail } from './invitation-email.ts';
import {
  createTeamRepository,
  type InvitationRow,
  type InvitationView,
  type MemberView,
  type TeamRepository,
  type UserFields,
} from './repository.ts';
import type {
  AcceptedInvitation,
  CreateInvitationBody,
  Invitation,
  InvitationStatus,
  Member,
  UpdateMemberBody,
} from './schemas.ts';

/** How long an invitation link works. */
export const INVITATION_TTL_DAYS = 7;
const INVITATION_TTL_MS = INVITATION_TTL_DAYS * 86_400_000;

/** The most pending invitations one user is shown. */
const MY_INVITATIONS_LIMIT = 100;

/**
 * Revokes a member's business API keys (AuthService.revokeMemberKeys). Declared here and wired
 * in runtime.ts, so the team module depends on auth's public interface only.
 */
export interface MemberKeys {
  revokeMemberKeys(businessId: string, userId: string): Promise<number>;
}

export interface TeamServiceDeps {
  db: Database;
  access: BusinessAccess;
  audit: AuditTrail;
  memberKeys: MemberKeys;
  logger: Logger;
  /** The dashboard's address: links are `${publicUrl}/invitations/<token>`. */
  publicUrl: string;
  /** Set when SMTP is configured: the link is then emailed, not returned. */
  mail?: { mailer: Mailer; messageIdDomain: string } | undefined;
  now?: () => number;
}

const roleOf = (value: string): Role => (isRole(value) ? value : 'viewer');

function statusOf(row: InvitationRow, now: number): InvitationStatus {
  if (row.acceptedAt) return 'accepted';
  if (row.declinedAt) return 'declined';
  if (row.revokedAt) return 'revoked';
  return row.expiresAt.getTime() <= now ? 'expired' : 'pending';
}

function toInvitation(row: InvitationView, now: number, acceptUrl?: string): Invitation {
  return {
    id: row.id,
    businessId: row.businessId,
    businessName: row.businessName,
    email: row.email,
    role: roleOf(row.role),
    approver: row.approver,
    status: statusOf(row, now),
    invitedBy: row.inviter,
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    ...(acceptUrl === undefined ? {} : { acceptUrl }),
  };
}

function toMember(row: MemberView): Member {
  return {
    userId: row.userId,
    name: row.name,
    email: row.email,
    role: roleOf(row.role),
    approver: row.approver,
    invitedBy: row.inviter,
    joinedAt: row.createdAt.toISOString(),
  };
}

const MESSAGES: Record<Exclude<InvitationStatus, 'pending'>, string> = {
  accepted: 'This invitation was already used',
  declined: 'This invitation was declined',
  revoked: 'This invitation was withdrawn: ask for a new one',
  expired: 'This invitation has expired: ask for a new one',
};

/** 409 for a link that can no longer be used, with the reason in details. */
function unusable(status: Exclude<InvitationStatus, 'pending'>): AppError {
  return conflict(MESSAGES[status], { reason: status });
}

const lastOwner = () =>
  conflict('A business needs at least one owner: make another member an owner first', {
    rule: 'last_owner',
  });

// A rule beyond the route's permission: `details.rule` tells it apart from a role's refusal.
const ownersOnly = (message: string) =>
  new AppError('FORBIDDEN', message, { details: { rule: 'owners_only' } });
const OWNER_MEMBERSHIP =
  "Only an owner may make someone an owner or change or remove an owner's membership";

/** A business API key acts for one business: it cannot answer for the user's other invitations. */
function refuseBusinessKey(principal: Principal): void {
  if (principal.businessId !== undefined) {
    throw new AppError('FORBIDDEN', 'A business API key cannot act on invitations', {
      details: { rule: 'no_business_keys' },
    });
  }
}

export function createTeamService(deps: TeamServiceDeps) {
  const { db, access, audit } = deps;
  const now = deps.now ?? Date.now;
  const repository = createTeamRepository(db);
  const acceptUrlOf = (token: string) => `${deps.publicUrl}/invitations/${token}`;

  async function signedInUser(principal: Principal): Promise<UserFields> {
    return found(await repository.user(principal.userId), 'User');
  }

  async function emailInvitation(
    row: InvitationRow,
    mail: NonNullable<TeamServiceDeps['mail']>,
    details: { inviter: UserFields; businessName: string; acceptUrl: string },
  ): Promise<void> {
    const content = invitationEmail({
      inviterName: details.inviter.name,
      inviterEmail: details.inviter.email,
      businessName: details.businessName,
      role: roleOf(row.role),
      approver: row.approver,
      acceptUrl: details.acceptUrl,
      expiresAt: row.expiresAt,
    });
    try {
      await mail.mailer.send({
        messageId: `<invitation-${row.id}@${mail.messageIdDomain}>`,
        to: row.email,
        owner: row.businessId,
        ...content,
      });
    } catch (error) {
      // A link nobody received must not stay usable by someone who later learns it.
      await repository.revokeInvitation(row.businessId, row.id);
      deps.logger.error({ err: error, invitationId: row.id }, 'invitation email not sent');
      throw new AppError(
        'UPSTREAM_UNAVAILABLE',
        'The invitation email could not be sent: try again',
      );
    }
  }

  /** The open invitation behind a link, locked, for its addressee; errors for anything else. */
  async function lockUsable(
    repo: TeamRepository,
    token: string,
    user: UserFields,
  ): Promise<InvitationRow> {
    const row = found(await repo.lockInvitationByTokenHash(tokenHash(token)), 'Invitation');
    if (row.email !== user.email) {
      throw new AppError(
        'FORBIDDEN',
        `This invitation was sent to another email address; you are signed in as ${user.email}`,
        { details: { reason: 'other_address' } },
      );
    }
    const status = statusOf(row, now());
    if (status !== 'pending') throw unusable(status);
    return row;
  }

  return {
    async invite(
      principal: Principal,
      businessId: string,
      body: CreateInvitationBody,
      origin: RequestOrigin,
    ): Promise<Invitation> {
      const membership = await access.require(principal, businessId, 'team.manage');
      if (body.role === 'owner' && membership.role !== 'owner') {
        throw ownersOnly('Only an owner may invite an owner');
      }
      if (await repository.isMemberByEmail(businessId, body.email)) {
        throw conflict('This person is already a member of the business', {
          reason: 'already_member',
        });
      }
      const inviter = await signedInUser(principal);
      const businessName = found(await repository.businessName(businessId), 'Business');
      const token = randomToken('hinv');
      const row = await db.transaction(async (tx) => {
        const repo = createTeamRepository(tx);
        // One open invitation per address: a new one replaces the last.
        await repo.revokeOpenFor(businessId, body.email);
        return repo.insertInvitation({
          businessId,
          email: body.email,
          role: body.role,
          approver: body.approver,
          tokenHash: tokenHash(token),
          invitedBy: principal.userId,
          expiresAt: new Date(now() + INVITATION_TTL_MS),
        });
      });
      const acceptUrl = acceptUrlOf(token);
      if (deps.mail) await emailInvitation(row, deps.mail, { inviter, businessName, acceptUrl });
      await audit.record({
        action: 'team.invited',
        outcome: 'success',
        userId: principal.userId,
        businessId,
        origin,
        details: {
          invitationId: row.id,
          email: row.email,
          role: row.role,
          approver: row.approver,
          emailed: Boolean(deps.mail),
        },
      });
      return toInvitation(
        { ...row, businessName, inviter },
        now(),
        deps.mail ? undefined : acceptUrl,
      );
    },

    async listInvitations(principal: Principal, businessId: string, query: PaginationQuery) {
      await access.require(principal, businessId, 'team.manage');
      const at = now();
      return readPage(
        query,
        (page) => repository.listInvitations(businessId, page),
        (row) => toInvitation(row, at),
      );
    },

    async revokeInvitation(
      principal: Principal,
      businessId: string,
      invitationId: string,
      origin: RequestOrigin,
    ): Promise<void> {
      await access.require(principal, businessId, 'team.manage');
      const revoked = await repository.revokeInvitation(businessId, invitationId);
      if (!revoked) {
        const row = found(await repository.invitation(businessId, invitationId), 'Invitation');
        const status = statusOf(row, now());
        if (status !== 'pending') throw unusable(status);
        throw notFound('Invitation');
      }
      await audit.record({
        action: 'team.invitation_revoked',
        outcome: 'success',
        userId: principal.userId,
        businessId,
        origin,
        details: { invitationId, email: revoked.email },
      });
    },

    /** The signed-in user's open invitations (sent to their address), newest first. */
    async listMine(principal: Principal): Promise<{ items: Invitation[] }> {
      refuseBusinessKey(principal);
      const user = await signedInUser(principal);
      const at = now();
      const rows = await repository.pendingFor(user.email, MY_INVITATIONS_LIMIT);
      return { items: rows.map((row) => toInvitation(row, at)) };
    },

    /** One invitation by its link: whoever holds the link may read what it invites to. */
    async getByToken(principal: Principal, token: string): Promise<Invitation> {
      refuseBusinessKey(principal);
      const row = found(await repository.invitationByTokenHash(tokenHash(token)), 'Invitation');
      return toInvitation(row, now());
    },

    /** Joins the business the link invites to, with its role, in one transaction. */
    async accept(
      principal: Principal,
      token: string,
      origin: RequestOrigin,
    ): Promise<AcceptedInvitation> {
      refuseBusinessKey(principal);
      const user = await signedInUser(principal);
      const row = await db.transaction(async (tx) => {
        const repo = createTeamRepository(tx);
        const invitation = await lockUsable(repo, token, user);
        const joined = await repo.insertMember({
          businessId: invitation.businessId,
          userId: user.id,
          role: invitation.role,
          approver: invitation.approver,
          invitedBy: invitation.invitedBy,
        });
        if (!joined) {
          throw conflict('You are already a member of this business', {
            reason: 'already_member',
          });
        }
        await repo.markAccepted(invitation.id, user.id);
        return invitation;
      });
      await access.forget(row.businessId, user.id);
      await audit.record({
        action: 'team.joined',
        outcome: 'success',
        userId: user.id,
        businessId: row.businessId,
        origin,
        details: { invitationId: row.id, role: row.role, approver: row.approver },
      });
      return {
        businessId: row.businessId,
        businessName: (await repository.businessName(row.businessId)) ?? '',
        role: roleOf(row.role),
        approver: row.approver,
      };
    },

    async decline(principal: Principal, token: string, origin: RequestOrigin): Promise<void> {
      refuseBusinessKey(principal);
      const user = await signedInUser(principal);
      const row = await db.transaction(async (tx) => {
        const repo = createTeamRepository(tx);
        const invitation = await lockUsable(repo, token, user);
        await repo.markDeclined(invitation.id);
        return invitation;
      });
      await audit.record({
        action: 'team.declined',
        outcome: 'success',
        userId: user.id,
        businessId: row.businessId,
        origin,
        details: { invitationId: row.id },
      });
    },

    /** Members, owners first, then in the order they joined. */
    async members(principal: Principal, businessId: string): Promise<{ items: Member[] }> {
      await access.require(principal, businessId, 'business.read');
      return { items: (await repository.members(businessId)).map(toMember) };
    },

    async updateMember(
      principal: Principal,
      businessId: string,
      userId: string,
      body: UpdateMemberBody,
      origin: RequestOrigin,
    ): Promise<Member> {
      const actor = await access.require(principal, businessId, 'team.manage');
      const before = await db.transaction(async (tx) => {
        const repo = createTeamRepository(tx);
        const { ownerIds, member } = await repo.lockForChange(businessId, userId);
        const target = found(member, 'Member');
        const from: Membership = { role: roleOf(target.role), approver: target.approver };
        const role = body.role ?? from.role;
        if ((from.role === 'owner' || role === 'owner') && actor.role !== 'owner') {
          throw ownersOnly(OWNER_MEMBERSHIP);
        }
        if (from.role === 'owner' && role !== 'owner' && ownerIds.length <= 1) throw lastOwner();
        await repo.updateMember(businessId, userId, {
          role,
          ...(body.approver === undefined ? {} : { approver: body.approver }),
        });
        return from;
      });
      await access.forget(businessId, userId);
      const after = found(await repository.member(businessId, userId), 'Member');
      await audit.record({
        action: 'team.role_changed',
        outcome: 'success',
        userId: principal.userId,
        businessId,
        origin,
        details: {
          memberId: userId,
          from: before.role,
          to: after.role,
          approverBefore: before.approver,
          approver: after.approver,
        },
      });
      return toMember(after);
    },

    /**
     * Removes a member (team.manage), or the caller themself whatever their role (leaving).
     * Their business API keys stop working at once.
     */
    async removeMember(
      principal: Principal,
      businessId: string,
      userId: string,
      origin: RequestOrigin,
    ): Promise<void> {
      const leaving = principal.userId === userId;
      const actor = await access.require(
        principal,
        businessId,
        leaving ? 'business.read' : 'team.manage',
      );
      const removed = await db.transaction(async (tx) => {
        const repo = createTeamRepository(tx);
        const { ownerIds, member } = await repo.lockForChange(businessId, userId);
        const target = found(member, 'Member');
        if (!leaving && target.role === 'owner' && actor.role !== 'owner')
          throw ownersOnly(OWNER_MEMBERSHIP);
        if (target.role === 'owner' && ownerIds.length <= 1) throw lastOwner();
        await repo.deleteMember(businessId, userId);
        return target;
      });
      await access.forget(businessId, userId);
      const revokedKeys = await deps.memberKeys.revokeMemberKeys(businessId, userId);
      await audit.record({
        action: leaving ? 'team.left' : 'team.removed',
        outcome: 'success',
        userId: principal.userId,
        businessId,
        origin,
        details: { memberId: userId, role: removed.role, revokedKeys },
      });
    },
  };
}

export type TeamService = ReturnType<typeof createTeamService>;
