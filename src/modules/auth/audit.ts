// The security audit trail: each event is a row the owner can list and a structured log line
// (`audit` is the stable field to search logs by).
import type { Database } from '../../platform/db/client.ts';
import { type PaginationQuery, readPage } from '../../platform/http/pagination.ts';
import type { Logger } from '../../platform/logger.ts';
import { type AuditEventRow, createAuthRepository } from './repository.ts';
import type { AuditEvent } from './schemas.ts';

export type AuditAction =
  | 'auth.register'
  | 'auth.login'
  | 'auth.locked'
  | 'auth.refresh_reuse'
  | 'auth.logout'
  | 'auth.password_changed'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'business.created'
  | 'business.deleted'
  | 'business.write_key_rotated'
  | 'team.invited'
  | 'team.invitation_revoked'
  | 'team.joined'
  | 'team.declined'
  | 'team.role_changed'
  | 'team.removed'
  | 'team.left'
  | 'account.disabled'
  | 'account.enabled'
  | 'account.admin_granted'
  | 'account.admin_revoked'
  | 'admin.business_budget_set'
  // Who started a sequence sending (an approval) or stopped it: recorded by the sequences module.
  | 'sequence.activated'
  | 'sequence.paused'
  | 'sequence.resumed'
  | 'sequence.archived'
  // A person erased from every table (right to erasure): recorded by the customers module.
  | 'customer.deleted';

/** Where a request came from, recorded with its audit events. */
export interface RequestOrigin {
  ip: string;
  userAgent: string | undefined;
}

export interface AuditEntry {
  action: AuditAction;
  outcome: 'success' | 'failure';
  userId: string | null;
  businessId?: string;
  origin: RequestOrigin;
  details?: Record<string, unknown>;
}

function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    action: row.action,
    outcome: row.outcome === 'failure' ? 'failure' : 'success',
    businessId: row.businessId,
    ip: row.ip,
    userAgent: row.userAgent,
    details: row.details,
    createdAt: row.createdAt.toISOString(),
  };
}

export function createAuditTrail(deps: { db: Database; logger: Logger }) {
  const repository = createAuthRepository(deps.db);
  return {
    async record(entry: AuditEntry): Promise<void> {
      deps.logger.info(
        {
          audit: entry.action,
          outcome: entry.outcome,
          userId: entry.userId,
          businessId: entry.businessId,
          ip: entry.origin.ip,
          ...entry.details,
        },
        'audit event',
      );
      await repository.insertAuditEvent({
        action: entry.action,
        outcome: entry.outcome,
        userId: entry.userId,
        businessId: entry.businessId ?? null,
        ip: entry.origin.ip,
        userAgent: entry.origin.userAgent?.slice(0, 300) ?? null,
        details: entry.details ?? {},
      });
    },

    async list(userId: string, query: PaginationQuery) {
      return readPage(query, (page) => repository.listAuditEvents(userId, page), toAuditEvent);
    },
  };
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
