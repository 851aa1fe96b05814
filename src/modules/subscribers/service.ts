// Subscribers of a business: CRUD, CSV imports (as jobs) and the suppression list. Every
// function checks first that the caller may act on the business.
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { found, notFound } from '../../platform/http/errors.ts';
import { type PaginationQuery, readPage } from '../../platform/http/pagination.ts';
import type { Permission } from '../../shared/permissions.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import type { Job, JobService } from '../jobs/index.ts';
import { SUBSCRIBER_IMPORT_JOB } from './import-job.ts';
import {
  createSubscriberRepository,
  type SubscriberRow,
  type SuppressionRow,
} from './repository.ts';
import {
  ConsentStatus,
  type CreateSubscriberBody,
  type ImportBody,
  type Subscriber,
  type SubscriberListQuery,
  type Suppression,
  SuppressionReason,
  type SuppressionRemoval,
  type UpdateSubscriberBody,
} from './schemas.ts';

export function toSubscriber(row: SubscriberRow, customerId: string | null = null): Subscriber {
  return {
    id: row.id,
    businessId: row.businessId,
    email: row.email,
    firstName: row.firstName,
    lastName: row.lastName,
    attributes: row.attributes,
    consentStatus: ConsentStatus.catch('subscribed').parse(row.consentStatus),
    source: row.source,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    customerId,
  };
}

function toSuppression(row: SuppressionRow): Suppression {
  return {
    id: row.id,
    businessId: row.businessId,
    email: row.email,
    reason: SuppressionReason.catch('manual').parse(row.reason),
    createdAt: row.createdAt.toISOString(),
  };
}

export function createSubscriberService(deps: {
  db: Database;
  access: BusinessAccess;
  jobs: Pick<JobService, 'start'>;
}) {
  const repository = createSubscriberRepository(deps.db);
  const { access } = deps;

  /** The subscriber with the customer profile that is them, when there is one. */
  async function withCustomer(row: SubscriberRow): Promise<Subscriber> {
    const links = await repository.customerIds(row.businessId, [row.id]);
    return toSubscriber(row, links.get(row.id) ?? null);
  }

  async function owned(
    principal: Principal,
    businessId: string,
    id: string,
    permission: Permission,
  ) {
    await access.require(principal, businessId, permission);
    return found(await repository.find(businessId, id), 'Subscriber');
  }

  return {
    async create(principal: Principal, businessId: string, body: CreateSubscriberBody) {
      await access.require(principal, businessId, 'content.write');
      const row = await repository.insert({
        businessId,
        email: body.email,
        firstName: body.firstName ?? null,
        lastName: body.lastName ?? null,
        attributes: body.attributes ?? {},
        consentStatus: body.consentStatus,
        source: body.source,
      });
      return withCustomer(row);
    },

    async list(principal: Principal, businessId: string, query: SubscriberListQuery) {
      await access.require(principal, businessId, 'business.read');
      const page = await readPage(
        query,
        (request) => repository.list(businessId, request, query),
        toSubscriber,
      );
      const links = await repository.customerIds(
        businessId,
        page.items.map((item) => item.id),
      );
      return {
        ...page,
        items: page.items.map((item) => ({ ...item, customerId: links.get(item.id) ?? null })),
      };
    },

    async get(principal: Principal, businessId: string, id: string) {
      return withCustomer(await owned(principal, businessId, id, 'business.read'));
    },

    async update(principal: Principal, businessId: string, id: string, body: UpdateSubscriberBody) {
      await owned(principal, businessId, id, 'content.write');
      const row = found(await repository.update(businessId, id, body), 'Subscriber');
      return withCustomer(row);
    },

    async remove(principal: Principal, businessId: string, id: string) {
      await access.require(principal, businessId, 'content.write');
      if (!(await repository.remove(businessId, id))) throw notFound('Subscriber');
    },

    /**
     * Stores the CSV and starts the import job (with the user's column mapping, if any); the job
     * reports progress and its row errors.
     */
    async startImport(
      principal: Principal,
      businessId: string,
      { csv, columns }: ImportBody,
    ): Promise<Job> {
      await access.require(principal, businessId, 'content.write');
      const importId = await repository.insertImport(businessId, csv);
      return deps.jobs.start(principal, businessId, SUBSCRIBER_IMPORT_JOB, {
        importId,
        ...(columns && { columns }),
      });
    },

    async suppress(principal: Principal, businessId: string, email: string, reason: string) {
      await access.require(principal, businessId, 'content.write');
      return toSuppression(await repository.suppress(businessId, email, reason));
    },

    /** Takes the address off the list, so it may be emailed again; the route logs who and why. */
    async unsuppress(
      principal: Principal,
      businessId: string,
      email: string,
      note: string,
    ): Promise<SuppressionRemoval> {
      await access.require(principal, businessId, 'content.write');
      const row = await repository.unsuppress(businessId, email);
      if (!row) throw notFound('Suppression');
      return {
        email: row.email,
        reason: SuppressionReason.catch('manual').parse(row.reason),
        note,
        removedAt: new Date().toISOString(),
      };
    },

    async listSuppressions(principal: Principal, businessId: string, query: PaginationQuery) {
      await access.require(principal, businessId, 'business.read');
      return readPage(
        query,
        (page) => repository.listSuppressions(businessId, page),
        toSuppression,
      );
    },
  };
}

export type SubscriberService = ReturnType<typeof createSubscriberService>;
