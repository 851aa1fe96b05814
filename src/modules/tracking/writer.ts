// Group commit for ingestion: concurrent requests enqueue their rows and wait; a flush every few
// milliseconds (or as soon as enough rows wait) writes everything pending in ONE transaction, and
// each request is answered when the flush holding its rows has committed — so a 200 means the
// events are durable. Past a bound of pending rows, or when the oldest has waited too long, new
// work is refused with 503 + Retry-After rather than queued without end.
import { AppError } from '../../platform/http/errors.ts';
import type { EventRow } from './repository.ts';

/** Events refused (invalid, too large) per business, for the minute stats. */
export type RejectedCounts = Map<string, number>;

export interface FlushWork {
  rows: EventRow[];
  rejected: RejectedCounts;
}

export interface WriterOptions {
  /**
   * Writes one flush in one transaction; rejects if nothing was committed. It calls `collect`
   * once, when its transaction has begun, for the rows to write: a flush that had to wait for
   * the database (PGlite's single connection, busy with the customer processor) takes what
   * arrived meanwhile too, instead of leaving it for the next flush.
   */
  write(collect: () => FlushWork): Promise<void>;
  /** Wait this long after the first pending write before flushing (more requests join). */
  flushDelayMs: number;
  /** Flush at once when this many rows wait; also the most rows one flush takes. */
  flushRows: number;
  /** Flushes in flight at once (1 on PGlite: one connection). */
  concurrency: number;
  /** Refuse new work past this many pending rows… */
  maxPendingRows: number;
  /** …or while the oldest pending write has waited longer than this. */
  maxWaitMs: number;
  now?: () => number;
  onFlush?: (rows: number, seconds: number) => void;
}

interface Pending {
  rows: EventRow[];
  rejected: RejectedCounts | undefined;
  enqueuedAt: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class EventWriter {
  private readonly options: WriterOptions;
  private readonly now: () => number;
  private queue: Pending[] = [];
  private queuedRows = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: WriterOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
  }

  /** Rows waiting to be written (queued or in a flush not yet committed). */
  get pendingRows(): number {
    return this.queuedRows;
  }

  /** How long the oldest queued write has waited, in ms (0 when none waits). */
  oldestWaitMs(): number {
    const oldest = this.queue[0];
    return oldest ? Math.max(0, this.now() - oldest.enqueuedAt) : 0;
  }

  /** Throws UPSTREAM_UNAVAILABLE (503, Retry-After) when the writer cannot take more now. */
  assertCapacity(): void {
    if (this.closed) throw overloaded('Event ingestion is shutting down');
    if (this.queuedRows >= this.options.maxPendingRows) {
      throw overloaded('Too many events are waiting to be written; retry shortly');
    }
    if (this.oldestWaitMs() > this.options.maxWaitMs) {
      throw overloaded('Event writes are behind; retry shortly');
    }
  }

  /** Resolves once `rows` are committed; `rejected` counts go into the same flush. */
  write(rows: EventRow[], rejected?: RejectedCounts): Promise<void> {
    this.assertCapacity();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, rejected, enqueuedAt: this.now(), resolve, reject });
      this.queuedRows += rows.length;
      this.schedule();
    });
  }

  /** Records refused events without waiting for them (nothing of theirs is stored). */
  recordRejected(rejected: RejectedCounts): void {
    if (this.closed) return;
    this.write([], rejected).catch(() => undefined);
  }

  private schedule(): void {
    if (this.inFlight >= this.options.concurrency) return; // the running flush picks them up
    if (this.queuedRows >= this.options.flushRows) {
      this.flushNow();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushNow();
    }, this.options.flushDelayMs);
  }

  private flushNow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.queue.length > 0 && this.inFlight < this.options.concurrency) {
      const taken = this.take(0);
      this.inFlight += 1;
      void this.run(taken).finally(() => {
        this.inFlight -= 1;
        if (this.queue.length > 0) this.schedule();
        else if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
    }
  }

  /** Takes queued writes while the flush stays within `flushRows` (at least one when it has none). */
  private take(alreadyTaken: number): Pending[] {
    let rows = alreadyTaken;
    let count = 0;
    while (count < this.queue.length) {
      const next = this.queue[count] as Pending;
      if ((count > 0 || alreadyTaken > 0) && rows + next.rows.length > this.options.flushRows) {
        break;
      }
      rows += next.rows.length;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async run(taken: Pending[]): Promise<void> {
    const rows: EventRow[] = [];
    const rejected: RejectedCounts = new Map();
    const add = (pendings: Pending[]) => {
      for (const pending of pendings) {
        for (const row of pending.rows) rows.push(row);
        for (const [businessId, count] of pending.rejected ?? []) {
          rejected.set(businessId, (rejected.get(businessId) ?? 0) + count);
        }
      }
    };
    add(taken);
    const collect = (): FlushWork => {
      const more = this.take(rows.length);
      taken.push(...more);
      add(more);
      return { rows, rejected };
    };
    const started = performance.now();
    try {
      await this.options.write(collect);
      this.options.onFlush?.(rows.length, (performance.now() - started) / 1000);
      for (const pending of taken) pending.resolve();
    } catch (error) {
      for (const pending of taken) pending.reject(error);
    } finally {
      this.queuedRows -= rows.length;
    }
  }

  /** Resolves once nothing is queued or being written (tests, shutdown). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Flushes what is queued and refuses further writes (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.inFlight > 0) {
      this.flushNow();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

function overloaded(message: string): AppError {
  return new AppError('UPSTREAM_UNAVAILABLE', message, {
    details: { retryAfterSeconds: 1 },
    headers: { 'retry-after': '1' },
  });
}
