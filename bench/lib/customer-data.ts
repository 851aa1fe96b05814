// Fills one business with customer data on a PostgreSQL server, in SQL (generate_series), so a
// million profiles and twenty million events take minutes, not hours: customers with their
// userId / anonymousId / email identities, a third of them with orders, and events spread over
// the last six months (their ledger rows marked processed). Resumable: each chunk is one
// statement keyed by a sequence number, and a rerun starts after what is already there.
//
//   node bench/lib/customer-data.ts <databaseUrl> <businessId> [customers] [events]
import pg from 'pg';

export interface CustomerDataOptions {
  customers: number;
  events: number;
  onProgress?: (message: string) => void;
}

const CUSTOMER_CHUNK = 50_000;
const EVENT_CHUNK = 500_000;

/** Customer n's identities, the same in every statement. */
const USER_ID = (n: string) => `'bench-user-' || ${n}`;
const ANONYMOUS_ID = (n: string) => `'bench-anon-' || ${n}`;
const EMAIL = (n: string) => `'person' || ${n} || '@example.com'`;

async function count(client: pg.Client, query: string, params: unknown[]): Promise<number> {
  const result = await client.query<{ n: string }>(query, params);
  return Number(result.rows[0]?.n ?? 0);
}

export async function generateCustomerData(
  client: pg.Client,
  businessId: string,
  options: CustomerDataOptions,
): Promise<void> {
  const progress = options.onProgress ?? (() => undefined);
  const existingCustomers = await count(
    client,
    `SELECT count(*) AS n FROM customers WHERE business_id = $1`,
    [businessId],
  );
  for (let start = existingCustomers; start < options.customers; start += CUSTOMER_CHUNK) {
    const end = Math.min(start + CUSTOMER_CHUNK, options.customers) - 1;
    await client.query('BEGIN');
    // Profiles: seen over the last 180 days; about one in three ordered something.
    await client.query(
      `INSERT INTO customers (id, business_id, user_id, email, name, traits, trait_times,
         first_seen_at, last_seen_at, event_count, order_count, revenue_cents)
       SELECT md5('bench-c-' || n)::uuid, $1, ${USER_ID('n')}, ${EMAIL('n')},
         (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Margaret','Ken','Frances','Tim'])[1 + n % 10]
           || ' ' || (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Hamilton','Thompson','Allen','Lee'])[1 + (n / 10) % 10]
           || ' ' || n,
         jsonb_build_object('plan', (ARRAY['free','pro','team'])[1 + n % 3], 'city', 'City ' || n % 500),
         '{}'::jsonb,
         now() - interval '180 days' + (n % 97) * interval '1 hour',
         now() - ((n::bigint * 7919) % (180 * 24 * 60)) * interval '1 minute',
         20,
         CASE WHEN n % 3 = 0 THEN 1 + n % 4 ELSE 0 END,
         CASE WHEN n % 3 = 0 THEN (1 + n % 4) * (1000 + n % 9000) ELSE 0 END
       FROM generate_series($2::int, $3::int) AS n`,
      [businessId, start, end],
    );
    await client.query(
      `INSERT INTO customer_identities (business_id, customer_id, kind, value)
       SELECT $1, md5('bench-c-' || n)::uuid, kind, CASE kind
           WHEN 'userId' THEN ${USER_ID('n')}
           WHEN 'anonymousId' THEN ${ANONYMOUS_ID('n')}
           ELSE ${EMAIL('n')} END
       FROM generate_series($2::int, $3::int) AS n,
         unnest(ARRAY['userId','anonymousId','email']) AS kind`,
      [businessId, start, end],
    );
    await client.query(
      `INSERT INTO orders (business_id, customer_id, order_id, total_cents, currency, placed_at)
       SELECT $1, md5('bench-c-' || n)::uuid, 'bench-order-' || n || '-' || k,
         1000 + n % 9000, 'USD', now() - ((n * 31 + k) % 180) * interval '1 day'
       FROM generate_series($2::int, $3::int) AS n, generate_series(1, 1 + n % 4) AS k
       WHERE n % 3 = 0`,
      [businessId, start, end],
    );
    await client.query('COMMIT');
    progress(`customers ${end + 1}/${options.customers}`);
  }
  // Events: customer n's events are the sequence numbers e with e % customers = n; half carry
  // the userId, the rest only the anonymousId; one in ten is a page view.
  const existingEvents = await count(
    client,
    `SELECT count(*) AS n FROM event_ids WHERE business_id = $1 AND message_id LIKE 'bench-e-%'`,
    [businessId],
  );
  for (let start = existingEvents; start < options.events; start += EVENT_CHUNK) {
    const end = Math.min(start + EVENT_CHUNK, options.events) - 1;
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO events (business_id, message_id, type, event, user_id, anonymous_id,
         properties, context, timestamp, received_at)
       SELECT $1, 'bench-e-' || e,
         CASE WHEN e % 10 = 0 THEN 'page' ELSE 'track' END,
         CASE WHEN e % 10 = 0 THEN 'Home'
           ELSE (ARRAY['Product Viewed','Product Added','Checkout Started','Signed In','Search'])[1 + e % 5] END,
         CASE WHEN e % 2 = 0 THEN ${USER_ID('(e % $4)')} END,
         ${ANONYMOUS_ID('(e % $4)')},
         jsonb_build_object('sku', 'SKU-' || e % 1000, 'price', e % 100),
         '{"library":{"name":"bench","version":"1"}}'::jsonb,
         t, t
       FROM generate_series($2::bigint, $3::bigint) AS e,
         LATERAL (SELECT now() - ((e * 7919) % (180 * 24 * 60)) * interval '1 minute' AS t) AS ts`,
      [businessId, start, end, options.customers],
    );
    await client.query(
      `INSERT INTO event_ids (business_id, message_id, received_at, processed_at)
       SELECT $1, 'bench-e-' || e, t, t
       FROM generate_series($2::bigint, $3::bigint) AS e,
         LATERAL (SELECT now() - ((e * 7919) % (180 * 24 * 60)) * interval '1 minute' AS t) AS ts`,
      [businessId, start, end],
    );
    await client.query('COMMIT');
    progress(`events ${end + 1}/${options.events}`);
  }
  await client.query('ANALYZE customers');
  await client.query('ANALYZE customer_identities');
  await client.query('ANALYZE orders');
}

if (import.meta.main) {
  const [url, businessId, customers = '1000000', events = '20000000'] = process.argv.slice(2);
  if (!url || !businessId) {
    console.error('usage: node bench/lib/customer-data.ts <databaseUrl> <businessId> [n] [events]');
    process.exit(2);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  await generateCustomerData(client, businessId, {
    customers: Number(customers),
    events: Number(events),
    onProgress: (message) => {
      console.log(`${((performance.now() - started) / 1000).toFixed(0)} s  ${message}`);
    },
  });
  await client.end();
}
