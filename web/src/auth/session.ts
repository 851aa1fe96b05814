// The signed-in session. The access token lives in memory only (never in storage a script
// could read later); the refresh token lives in Herald's httpOnly SameSite=Strict cookie, which
// this code never sees. A reload therefore starts signed out and asks /auth/refresh, which reads
// the cookie. Refresh tokens rotate on every use and reusing one revokes the whole sign-in, so
// refreshes are single-flight within a tab and serialised across tabs with a Web Lock.
import type { components } from '../api/schema';

export type TokenResponse = components['schemas']['TokenResponse'];
export type User = components['schemas']['User'];

export interface Session {
  accessToken: string;
  /** Epoch milliseconds when the access token stops working. */
  expiresAt: number;
  user: User;
}

type Listener = (session: Session | null) => void;

const REFRESH_LOCK = 'herald-refresh';
/** Refresh this long before the access token expires (or at 80 % of its life if shorter). */
const REFRESH_MARGIN_MS = 60_000;

export interface SessionStoreOptions {
  /** How the store reaches the network (tests pass a fake). */
  fetch?: (input: Request) => Promise<Response>;
  now?: () => number;
  /** Schedules the silent refresh; tests can disable it. */
  scheduleRefresh?: boolean;
}

export class SessionStore {
  private session: Session | null = null;
  private endedByUser = false;
  private readonly listeners = new Set<Listener>();
  private readonly expiredListeners = new Set<() => void>();
  private inFlight: Promise<Session | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly fetchImpl: (input: Request) => Promise<Response>;
  private readonly now: () => number;
  private readonly schedule: boolean;

  constructor(options: SessionStoreOptions = {}) {
    this.fetchImpl = options.fetch ?? ((request) => globalThis.fetch(request));
    this.now = options.now ?? Date.now;
    this.schedule = options.scheduleRefresh ?? true;
  }

  get current(): Session | null {
    return this.session;
  }

  get accessToken(): string | null {
    return this.session?.accessToken ?? null;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when the session is gone for good (a refresh was refused): time to sign in again. */
  onExpired(listener: () => void): () => void {
    this.expiredListeners.add(listener);
    return () => this.expiredListeners.delete(listener);
  }

  /** Stores the tokens a login, register or refresh answered with. */
  signIn(tokens: TokenResponse): Session {
    const session = {
      accessToken: tokens.accessToken,
      expiresAt: this.now() + tokens.expiresIn * 1000,
      user: tokens.user,
    };
    this.endedByUser = false;
    this.set(session);
    return session;
  }

  clear(): void {
    this.set(null);
  }

  /**
   * The user signed out here: the session ends and pages that need one send to a plain sign-in
   * page (not "sign in and come back", as after an expiry).
   */
  signOut(): void {
    this.endedByUser = true;
    this.set(null);
  }

  get signedOut(): boolean {
    return this.endedByUser && this.session === null;
  }

  /** The session has ended server-side: forget it and tell whoever sends the user to sign in. */
  expire(): void {
    this.clear();
    for (const listener of this.expiredListeners) listener();
  }

  /**
   * Exchanges the refresh cookie for new tokens. Concurrent callers share one request; other
   * tabs wait their turn so each presents the newest cookie. Resolves null when refused.
   */
  refresh(): Promise<Session | null> {
    this.inFlight ??= this.lockedRefresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async lockedRefresh(): Promise<Session | null> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (locks && typeof locks.request === 'function') {
      return locks.request(REFRESH_LOCK, () => this.refreshNow());
    }
    return this.refreshNow();
  }

  private async refreshNow(): Promise<Session | null> {
    const response = await this.fetchImpl(
      new Request('/api/v1/auth/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
      }),
    );
    if (!response.ok) {
      await response.body?.cancel();
      // A network error throws instead, so a flaky connection never signs anybody out.
      if (response.status === 401) this.clear();
      return null;
    }
    return this.signIn((await response.json()) as TokenResponse);
  }

  private set(session: Session | null): void {
    this.session = session;
    clearTimeout(this.timer);
    if (session && this.schedule) {
      const lifetime = session.expiresAt - this.now();
      const delay = Math.max(1_000, lifetime - REFRESH_MARGIN_MS, lifetime * 0.8);
      this.timer = setTimeout(() => {
        this.refresh().then(
          (next) => {
            if (!next) this.expire();
          },
          () => undefined, // offline: the next request's 401 will try again
        );
      }, delay);
    }
    for (const listener of this.listeners) listener(session);
  }
}
