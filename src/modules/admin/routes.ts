// /api/v1/admin: the instance administration (users, businesses and their AI spend, the job
// backlog). Every route is for the instance administrator only; the service checks it.
import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import type { App } from '../../platform/http/types.ts';
import { originOf } from '../auth/index.ts';
import {
  AdminBusiness,
  AdminBusinessPage,
  AdminBusinessParams,
  AdminOverview,
  AdminUser,
  AdminUserPage,
  AdminUserParams,
  UpdateAdminBusinessBody,
  UpdateAdminUserBody,
} from './schemas.ts';
import type { AdminService } from './service.ts';

export function adminRoutes(app: App, deps: { admin: AdminService }): void {
  const { admin } = deps;

  app.get(
    '/api/v1/admin/overview',
    {
      config: { permission: 'instance.admin' },
      schema: {
        tags: ['admin'],
        summary: 'The instance at a glance: accounts, businesses, job backlog, AI spend today',
        response: { 200: AdminOverview, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => admin.overview(principalOf(request)),
  );

  app.get(
    '/api/v1/admin/users',
    {
      config: { permission: 'instance.admin' },
      schema: {
        tags: ['admin'],
        summary: 'Every account of the instance, newest first',
        querystring: PaginationQuery,
        response: { 200: AdminUserPage, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => admin.listUsers(principalOf(request), request.query),
  );

  app.patch(
    '/api/v1/admin/users/:userId',
    {
      config: { permission: 'instance.admin' },
      schema: {
        tags: ['admin'],
        summary: 'Disable or enable an account; make or unmake an administrator',
        description:
          "Disabling ends the account's sign-ins and stops its API keys at once; it can no longer sign in (403) until enabled again. 409 when an administrator would disable their own account or leave the instance without an active administrator.",
        params: AdminUserParams,
        body: UpdateAdminUserBody,
        response: { 200: AdminUser, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      admin.updateUser(
        principalOf(request),
        request.params.userId,
        request.body,
        originOf(request),
      ),
  );

  app.get(
    '/api/v1/admin/businesses',
    {
      config: { permission: 'instance.admin' },
      schema: {
        tags: ['admin'],
        summary: 'Every business of the instance with its AI budget and spend, newest first',
        querystring: PaginationQuery,
        response: { 200: AdminBusinessPage, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => admin.listBusinesses(principalOf(request), request.query),
  );

  app.patch(
    '/api/v1/admin/businesses/:businessId',
    {
      config: { permission: 'instance.admin' },
      schema: {
        tags: ['admin'],
        summary: "Set a business's daily AI budget (null: the server default)",
        params: AdminBusinessParams,
        body: UpdateAdminBusinessBody,
        response: { 200: AdminBusiness, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      admin.setBusinessBudget(
        principalOf(request),
        request.params.businessId,
        request.body,
        originOf(request),
      ),
  );
}
