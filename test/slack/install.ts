// Installs the Slack app for a business the way a browser does: Herald's install URL, the fake
// Slack's consent page (a redirect), then Herald's callback with the state cookie.
import type { App } from '../../src/platform/http/types.ts';
import type { TestUser } from '../helpers/fixtures.ts';

export async function installSlackApp(app: App, user: TestUser, businessId: string) {
  const started = await app.inject({
    method: 'POST',
    url: `/api/v1/businesses/${businessId}/slack/install`,
    headers: user.headers,
  });
  const consent = await fetch(started.json<{ url: string }>().url, { redirect: 'manual' });
  const callback = new URL(consent.headers.get('location') ?? '');
  const finished = await app.inject({
    method: 'GET',
    url: `${callback.pathname}${callback.search}`,
    headers: { cookie: String(started.headers['set-cookie']).split(';')[0] ?? '' },
  });
  if (finished.statusCode !== 302) throw new Error(`install answered ${finished.statusCode}`);
}
