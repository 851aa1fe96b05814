// A small key/value and counter store: in-process memory by default, Redis when REDIS_URL is
// set so several Herald processes share rate-limit counters and cached lookups.
import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';

export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Adds one to a counter that expires `ttlMs` after its first increment. */
  increment(key: string, ttlMs: number): Promise<{ count: number; ttlMs: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The Redis client, for libraries that take one directly (e.g. the rate limiter). */
  readonly redis: Redis | undefined;
}

interface MemoryEntry {
  value: string;
  expiresAt: number;
}

export class MemoryCache implements CacheStore {
  readonly kind = 'memory';
  readonly redis = undefined;
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
    // Expired entries are also dropped on read; the sweep bounds memory for keys never read again.
    this.sweeper = setInterval(() => {
      this.sweep();
    }, 60_000);
    this.sweeper.unref();
  }

  private live(key: string): MemoryEntry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.live(key)?.value ?? null);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }

  increment(key: string, ttlMs: number): Promise<{ count: number; ttlMs: number }> {
    const entry = this.live(key);
    if (!entry) {
      this.entries.set(key, { value: '1', expiresAt: this.now() + ttlMs });
      return Promise.resolve({ count: 1, ttlMs });
    }
    entry.value = String(Number(entry.value) + 1);
    return Promise.resolve({ count: Number(entry.value), ttlMs: entry.expiresAt - this.now() });
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
    return Promise.resolve();
  }
}

export class RedisCache implements CacheStore {
  readonly kind = 'redis';
  readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix = 'herald:') {
    this.redis = redis;
    this.prefix = prefix;
  }

  async connect(): Promise<void> {
    await this.redis.connect();
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'PX', ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async increment(key: string, ttlMs: number): Promise<{ count: number; ttlMs: number }> {
    const fullKey = this.prefix + key;
    // One round trip: increment, set the expiry only on the first hit, read what is left.
    const results = await this.redis
      .multi()
      .incr(fullKey)
      .pexpire(fullKey, ttlMs, 'NX')
      .pttl(fullKey)
      .exec();
    const count = Number(results?.[0]?.[1] ?? 1);
    const remaining = Number(results?.[2]?.[1] ?? ttlMs);
    return { count, ttlMs: remaining > 0 ? remaining : ttlMs };
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}

export async function openCache(redisUrl: string | undefined): Promise<CacheStore> {
  if (!redisUrl) return new MemoryCache();
  // ioredis is imported only when Redis is configured (start-up memory).
  const { Redis } = await import('ioredis');
  const cache = new RedisCache(
    new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true }),
  );
  await cache.connect();
  return cache;
}

/**
 * The same store, each read counted as a hit or a miss under `herald_cache_requests_total`,
 * labelled with the key's prefix (`access` of `access:<business>:<user>`), a bounded set.
 */
export function countCacheReads(
  store: CacheStore,
  reads: Counter<'cache' | 'outcome'>,
): CacheStore {
  return {
    get kind() {
      return store.kind;
    },
    get redis() {
      return store.redis;
    },
    async get(key) {
      const value = await store.get(key);
      const colon = key.indexOf(':');
      reads.inc({
        cache: colon === -1 ? key : key.slice(0, colon),
        outcome: value === null ? 'miss' : 'hit',
      });
      return value;
    },
    set: (key, value, ttlMs) => store.set(key, value, ttlMs),
    delete: (key) => store.delete(key),
    increment: (key, ttlMs) => store.increment(key, ttlMs),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
