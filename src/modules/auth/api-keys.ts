// API keys: personal keys (act on every business their user is a member of) and business keys
// (act on one business, with their creator's role there). Whether the creator may manage that
// business is the businesses module's answer, asked through the KeyBusinessCheck port (auth
// imports no module; runtime.ts implements it with BusinessAccess).
import type { Executor } from '../../platform/db/client.ts';
import type { Principal, Scope } from '../../platform/http/auth-guard.ts';
import { found } from '../../platform/http/errors.ts';
import { type PaginationQuery, readPage } from '../../platform/http/pagination.ts';
import type { AuditTrail, RequestOrigin } from './audit.ts';
import type { AuthenticatorService } from './authenticator.ts';
import { randomToken, tokenHash } from './credentials.ts';
import { type ApiKeyRow, type BusinessApiKeyRow, createAuthRepository } from './repository.ts';
import type { ApiKey, BusinessApiKey, CreateApiKeyBody } from './schemas.ts';

/** Refuses (404, or 403 naming the permission) unless the principal may manage the business's keys. */
export interface KeyBusinessCheck {
  requireManager(principal: Principal, businessId: string): Promise<void>;
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    businessId: row.businessId,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes.filter((scope): scope is Scope => scope === 'read' || scope === 'write'),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

function toBusinessApiKey(row: BusinessApiKeyRow): BusinessApiKey {
  return { ...toApiKey(row), createdBy: row.creator };
}

export function createApiKeys(deps: {
  db: Executor;
  authenticator: AuthenticatorService;
  audit: AuditTrail;
  businesses: KeyBusinessCheck;
}) {
  const { authenticator, audit, businesses } = deps;
  const repository = createAuthRepository(deps.db);

  return {
    async createApiKey(
      principal: Principal,
      body: CreateApiKeyBody,
      origin: RequestOrigin,
    ): Promise<ApiKey & { key: string }> {
      if (body.businessId !== undefined) {
        await businesses.requireManager(principal, body.businessId);
      }
      const key = randomToken('hk');
      const row = await repository.insertApiKey({
        userId: principal.userId,
        businessId: body.businessId ?? null,
        name: body.name,
        prefix: key.slice(0, 11),
        keyHash: tokenHash(key),
        scopes: body.scopes,
      });
      await audit.record({
        action: 'api_key.created',
        outcome: 'success',
        userId: principal.userId,
        ...(row.businessId === null ? {} : { businessId: row.businessId }),
        origin,
        details: { apiKeyId: row.id, prefix: row.prefix, scopes: body.scopes },
      });
      return { ...toApiKey(row), key };
    },

    async listApiKeys(principal: Principal, query: PaginationQuery) {
      return readPage(query, (page) => repository.listApiKeys(principal.userId, page), toApiKey);
    },

    async revokeApiKey(
      principal: Principal,
      apiKeyId: string,
      origin: RequestOrigin,
    ): Promise<ApiKey> {
      const row = found(await repository.revokeApiKey(principal.userId, apiKeyId), 'API key');
      await authenticator.forgetApiKey(row.keyHash);
      await audit.record({
        action: 'api_key.revoked',
        outcome: 'success',
        userId: principal.userId,
        origin,
        details: { apiKeyId: row.id, prefix: row.prefix },
      });
      return toApiKey(row);
    },

    /** Every member's keys for the business (business.manage). */
    async listBusinessApiKeys(principal: Principal, businessId: string, query: PaginationQuery) {
      await businesses.requireManager(principal, businessId);
      return readPage(
        query,
        (page) => repository.listBusinessApiKeys(businessId, page),
        toBusinessApiKey,
      );
    },

    /** Revokes a key of the business, whichever member made it (business.manage). */
    async revokeBusinessApiKey(
      principal: Principal,
      businessId: string,
      apiKeyId: string,
      origin: RequestOrigin,
    ): Promise<ApiKey> {
      await businesses.requireManager(principal, businessId);
      const row = found(await repository.revokeBusinessApiKey(businessId, apiKeyId), 'API key');
      await authenticator.forgetApiKey(row.keyHash);
      await audit.record({
        action: 'api_key.revoked',
        outcome: 'success',
        userId: principal.userId,
        businessId,
        origin,
        details: { apiKeyId: row.id, prefix: row.prefix, createdBy: row.userId },
      });
      return toApiKey(row);
    },

    /**
     * A member left or was removed: the business keys they made stop working at once (the key
     * cache is cleared too). Their personal keys stay, and stop reaching this business because
     * the membership is gone.
     */
    async revokeMemberKeys(businessId: string, userId: string): Promise<number> {
      const rows = await repository.revokeBusinessKeys(userId, businessId);
      for (const row of rows) await authenticator.forgetApiKey(row.keyHash);
      return rows.length;
    },
  };
}
