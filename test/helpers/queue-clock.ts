// Drives the job queue's notion of elapsed time from a test: a lost worker is noticed when its
// job's heartbeat is older than the queue's heartbeatSeconds, at the supervisor's next pass.
// Rather than wait, a test moves the job's last heartbeat (and the supervisor's last pass) into
// the past, as if that long had gone by with no heartbeat, then runs a supervisor pass now.
import type { Runtime } from '../../src/runtime.ts';

/** As if `seconds` went by since the job's last heartbeat. */
export async function ageHeartbeat(
  runtime: Runtime,
  queueJobId: string,
  seconds: number,
): Promise<void> {
  await runtime.database.query(
    `UPDATE pgboss.job SET heartbeat_on = heartbeat_on - make_interval(secs => $2::int)
      WHERE id = $1::uuid AND state = 'active'`,
    [queueJobId, seconds],
  );
}

/** Runs a supervisor pass now, as if its interval had passed since the last one. */
export async function superviseNow(runtime: Runtime, seconds = 3600): Promise<void> {
  await runtime.database.query(
    `UPDATE pgboss.queue
        SET monitor_on = monitor_on - make_interval(secs => $1::int),
            monitor_claim_on = monitor_claim_on - make_interval(secs => $1::int)`,
    [seconds],
  );
  await runtime.queue.boss.supervise();
}

/** The queue job's state and the message it failed with, if any. */
export async function queueJob(
  runtime: Runtime,
  queueJobId: string,
): Promise<{ state: string; retryCount: number; output: unknown } | undefined> {
  const [row] = await runtime.database.query<{
    state: string;
    retry_count: number;
    output: unknown;
  }>('SELECT state, retry_count, output FROM pgboss.job WHERE id = $1::uuid', [queueJobId]);
  return row && { state: row.state, retryCount: row.retry_count, output: row.output };
}

/**
 * As if `seconds` went by for the scheduled pieces: their publish times move that far into the
 * past, then the publisher drains what is due, as its wake-up job would. Returns how many it
 * published.
 */
export async function publishAsIfLater(runtime: Runtime, seconds: number): Promise<number> {
  await runtime.database.query(
    `UPDATE contents SET publish_at = publish_at - make_interval(secs => $1::int)
      WHERE status = 'scheduled'`,
    [seconds],
  );
  return runtime.services.publishing.publisher.drain();
}
