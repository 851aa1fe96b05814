import { z } from 'zod';

import { pageSchema } from '../../platform/http/pagination.ts';

const Email = z
  .email()
  .max(254)
  .transform((email) => email.trim().toLowerCase())
  .meta({ example: 'ada@example.com' });

const NewPassword = z
  .string()
  .min(1)
  .max(200)
  .describe(
    'At least 10 characters mixing two kinds, 5 different characters, not a common password',
  );

export const RegisterBody = z.object({
  email: Email,
  password: NewPassword,
  name: z.string().trim().min(1).max(120),
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const RegistrationPending = z
  .object({
    status: z.literal('pending'),
    message: z.string().meta({ example: 'Check your email to finish signing up' }),
  })
  .meta({ id: 'RegistrationPending' });

export const VerifyEmailBody = z.object({
  token: z.string().min(1).max(4000).describe('The token of the emailed sign-up link'),
});

export const LoginBody = z.object({
  email: Email,
  password: z.string().min(1).max(200),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const ChangePasswordBody = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: NewPassword,
});
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

export const RefreshBody = z
  .object({
    refreshToken: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Omit to use the herald_refresh cookie'),
  })
  // No body at all (the dashboard, relying on the cookie) reaches the validator as null.
  .nullish();

export const User = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    isAdmin: z.boolean().describe('Whether this account administers the Herald instance'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const TokenResponse = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().describe('Seconds until the access token expires'),
    user: User,
  })
  .meta({ id: 'TokenResponse' });
export type TokenResponse = z.infer<typeof TokenResponse>;

export const ApiKeyScope = z.enum(['read', 'write']);

export const ApiKey = z
  .object({
    id: z.uuid(),
    businessId: z
      .uuid()
      .nullable()
      .describe("A business key's one business; null for a personal key"),
    name: z.string(),
    prefix: z.string().describe('The visible start of the key'),
    scopes: z.array(ApiKeyScope),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKey>;

export const CreateApiKeyBody = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(ApiKeyScope)
    .min(1)
    .default(['read'])
    .transform((scopes) => [...new Set(scopes)]),
  businessId: z
    .uuid()
    .optional()
    .describe(
      'Make a business key: it acts on this business only, with your role there (needs business.manage there)',
    ),
});
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;

export const CreatedApiKey = ApiKey.extend({
  key: z.string().describe('The secret: shown this once, store it now'),
}).meta({ id: 'CreatedApiKey' });

export const ApiKeyParams = z.object({ apiKeyId: z.uuid() });
export const ApiKeyPage = pageSchema(ApiKey);

export const BusinessApiKey = ApiKey.extend({
  createdBy: z
    .object({ id: z.uuid(), name: z.string(), email: z.string() })
    .describe('The member who made the key; it acts with their role'),
}).meta({ id: 'BusinessApiKey' });
export type BusinessApiKey = z.infer<typeof BusinessApiKey>;
export const BusinessApiKeyPage = pageSchema(BusinessApiKey);
export const BusinessKeysParams = z.object({ businessId: z.uuid() });
export const BusinessKeyParams = z.object({ businessId: z.uuid(), apiKeyId: z.uuid() });

export const RegistrationMode = z.enum(['open', 'invite', 'closed']);
export type RegistrationMode = z.infer<typeof RegistrationMode>;
export const Registration = z
  .object({
    mode: RegistrationMode.describe(
      'Who may create an account now: anyone, an invited email only, or nobody. While the instance has no account yet it is open: the first account bootstraps it.',
    ),
  })
  .meta({ id: 'Registration' });

export const AuditEvent = z
  .object({
    id: z.uuid(),
    action: z.string().meta({ example: 'auth.login' }),
    outcome: z.enum(['success', 'failure']),
    businessId: z.uuid().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof AuditEvent>;
export const AuditEventPage = pageSchema(AuditEvent);
