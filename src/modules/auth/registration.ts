// Who may create an account (REGISTRATION): anyone, an email with a pending invitation to a
// business, or nobody — except the first account of an instance, which is always allowed (it
// becomes the instance administrator).
import { forbidden } from '../../platform/http/errors.ts';
import type { AuthRepository } from './repository.ts';
import type { RegistrationMode } from './schemas.ts';

/**
 * Refuses a registration REGISTRATION does not allow: 'invite' takes only an email with a
 * pending invitation, 'closed' nobody. The first account of the instance is always allowed.
 */
export async function refuseUnallowedRegistration(
  repository: AuthRepository,
  mode: RegistrationMode,
  email: string,
): Promise<void> {
  if (mode === 'open' || !(await repository.hasUsers())) return;
  if (mode === 'closed') {
    throw forbidden(
      'Registration is closed on this Herald instance: ask its administrator for an account',
    );
  }
  if (!(await repository.hasPendingInvitation(email))) {
    throw forbidden(
      'Registration on this Herald instance is by invitation only, and this email has no pending invitation',
    );
  }
}
