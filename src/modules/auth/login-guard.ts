// Who may try a password, and when: failed sign-ins are counted per (account email, client
// address) whether or not the account exists, so known and unknown addresses answer alike and a
// stranger elsewhere cannot lock the owner out. Behind that, a gentler per-account backoff: once
// an account has many failures in an hour from any number of addresses, it takes one attempt a
// minute from anywhere (the owner still gets in; a botnet's guessing slows to 60 an hour).
import type { FailureLimiter, FailurePolicy } from '../../platform/rate-limit.ts';

const HOUR_MS = 3_600_000;
const BACKOFF_MS = 60_000;
/** Failures in an hour, from all addresses together, before the account slows down. */
export const ACCOUNT_BACKOFF_FACTOR = 4;

export interface LoginGuard {
  /** Seconds until `email` may be tried from `ip` again, or undefined when it may now. */
  waitFor(email: string, ip: string): Promise<number | undefined>;
  /** Counts a failed attempt; answers the wait it started, if it started one. */
  recordFailure(email: string, ip: string): Promise<number | undefined>;
  recordSuccess(email: string, ip: string): Promise<void>;
}

export function createLoginGuard(
  failures: FailureLimiter,
  lockout: { threshold: number; minutes: number },
): LoginGuard {
  const perAddress: FailurePolicy = {
    limit: lockout.threshold,
    windowMs: lockout.minutes * 60_000,
    blockMs: lockout.minutes * 60_000,
    restartCount: true,
  };
  const perAccount: FailurePolicy = {
    limit: lockout.threshold * ACCOUNT_BACKOFF_FACTOR,
    windowMs: HOUR_MS,
    blockMs: BACKOFF_MS,
    restartCount: false,
  };
  const addressKey = (email: string, ip: string) => `login-address:${email}:${ip}`;
  const accountKey = (email: string) => `login-account:${email}`;
  return {
    async waitFor(email, ip) {
      return (
        (await failures.blockedFor(addressKey(email, ip))) ??
        (await failures.blockedFor(accountKey(email)))
      );
    },
    async recordFailure(email, ip) {
      const address = await failures.recordFailure(addressKey(email, ip), perAddress);
      const account = await failures.recordFailure(accountKey(email), perAccount);
      return address ?? account;
    },
    async recordSuccess(email, ip) {
      await failures.clear(addressKey(email, ip));
      await failures.clear(accountKey(email));
    },
  };
}
