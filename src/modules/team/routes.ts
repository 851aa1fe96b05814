// The team API: a business's invitations and members (/api/v1/businesses/{businessId}/…), and a
// signed-in user's own invitations (/api/v1/invitations…), which the dashboard's accept page uses.
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import type { App } from '../../platform/http/types.ts';
import { originOf } from '../auth/index.ts';
import { BusinessParams } from '../businesses/index.ts';
import {
  AcceptedInvitation,
  CreateInvitationBody,
  Invitation,
  InvitationList,
  InvitationPage,
  InvitationParams,
  InvitationTokenParams,
  Member,
  MemberList,
  MemberParams,
  UpdateMemberBody,
} from './schemas.ts';
import { INVITATION_TTL_DAYS, type TeamService } from './service.ts';

export function teamRoutes(app: App, deps: { team: TeamService }): void {
  const { team } = deps;

  app.post(
    '/api/v1/businesses/:businessId/invitations',
    {
      config: { permission: 'team.manage', idempotent: true },
      schema: {
        tags: ['team'],
        summary: 'Invite someone by email to join the business with a role',
        description: `The link works for ${INVITATION_TTL_DAYS} days, once. With SMTP configured it is emailed to the invitee and not returned; otherwise the answer carries it as \`acceptUrl\` for you to pass on. A new invitation to the same address replaces the pending one. Only an owner may invite an owner; inviting a member answers 409. Send an Idempotency-Key header to make retries safe.`,
        params: BusinessParams,
        body: CreateInvitationBody,
        response: { 201: Invitation, ...errorResponses(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await team.invite(
            principalOf(request),
            request.params.businessId,
            request.body,
            originOf(request),
          ),
        ),
  );

  app.get(
    '/api/v1/businesses/:businessId/invitations',
    {
      config: { permission: 'team.manage' },
      schema: {
        tags: ['team'],
        summary: "The business's invitations, newest first, whatever their status",
        params: BusinessParams,
        querystring: PaginationQuery,
        response: { 200: InvitationPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      team.listInvitations(principalOf(request), request.params.businessId, request.query),
  );

  app.delete(
    '/api/v1/businesses/:businessId/invitations/:invitationId',
    {
      config: { permission: 'team.manage' },
      schema: {
        tags: ['team'],
        summary: 'Withdraw a pending invitation; its link stops working',
        description: '409 when it was already accepted, declined, withdrawn or has expired.',
        params: InvitationParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      await team.revokeInvitation(
        principalOf(request),
        request.params.businessId,
        request.params.invitationId,
        originOf(request),
      );
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/invitations',
    {
      config: { permission: 'self' },
      schema: {
        tags: ['team'],
        summary: 'Your pending invitations (sent to your email address), newest first',
        response: { 200: InvitationList, ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => team.listMine(principalOf(request)),
  );

  app.get(
    '/api/v1/invitations/:token',
    {
      config: { permission: 'self' },
      schema: {
        tags: ['team'],
        summary: 'The invitation a link carries: business, role, who invited, status',
        description:
          'Any signed-in user holding the link may read it, so the accept page can say which address it was sent to; only that address may accept or decline it.',
        params: InvitationTokenParams,
        response: { 200: Invitation, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => team.getByToken(principalOf(request), request.params.token),
  );

  app.post(
    '/api/v1/invitations/:token/accept',
    {
      config: { permission: 'self', auth: 'session' },
      schema: {
        tags: ['team'],
        summary: 'Accept an invitation: join the business with its role',
        description:
          "Only the account with the invitation's email address may accept (else 403). A link that was used, declined, withdrawn or has expired answers 409 with `details.reason` (`accepted`, `declined`, `revoked`, `expired`).",
        params: InvitationTokenParams,
        response: { 200: AcceptedInvitation, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) => team.accept(principalOf(request), request.params.token, originOf(request)),
  );

  app.post(
    '/api/v1/invitations/:token/decline',
    {
      config: { permission: 'self', auth: 'session' },
      schema: {
        tags: ['team'],
        summary: 'Decline an invitation; its link stops working',
        description: 'The same checks as accepting: your address, and a link still pending.',
        params: InvitationTokenParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      await team.decline(principalOf(request), request.params.token, originOf(request));
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/businesses/:businessId/members',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['team'],
        summary: 'The members of the business with their roles, owners first',
        params: BusinessParams,
        response: { 200: MemberList, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => team.members(principalOf(request), request.params.businessId),
  );

  app.patch(
    '/api/v1/businesses/:businessId/members/:userId',
    {
      config: { permission: 'team.manage' },
      schema: {
        tags: ['team'],
        summary: "Change a member's role or approver flag",
        description:
          "Only an owner may make someone an owner or change an owner's role; the last owner cannot be demoted (409). The change applies to the member's next request.",
        params: MemberParams,
        body: UpdateMemberBody,
        response: { 200: Member, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      team.updateMember(
        principalOf(request),
        request.params.businessId,
        request.params.userId,
        request.body,
        originOf(request),
      ),
  );

  app.delete(
    '/api/v1/businesses/:businessId/members/:userId',
    {
      config: { permission: 'team.manage' },
      schema: {
        tags: ['team'],
        summary: 'Remove a member, or leave the business (your own user id)',
        description:
          'Removing needs `team.manage` (an owner only for an owner); any member may remove themself. The last owner cannot leave or be removed (409). The member loses access at once, and their business API keys are revoked.',
        params: MemberParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      await team.removeMember(
        principalOf(request),
        request.params.businessId,
        request.params.userId,
        originOf(request),
      );
      return reply.status(204).send();
    },
  );
}
