// Slack's request signature and the OAuth state, checked against the algorithm Slack documents.
import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { signState, slackSignature, verifySlackRequest, verifyState } from './signature.ts';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const now = new Date('2026-12-03T08:00:00Z');
const ts = String(Math.floor(now.getTime() / 1000));
const body = 'token=x&team_id=T1&command=%2Fherald&text=ask+hi';

describe('Slack request signatures', () => {
  it('is v0= and the hex HMAC-SHA256 of "v0:<timestamp>:<body>"', () => {
    const expected = createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex');
    expect(slackSignature(SECRET, ts, body)).toBe(`v0=${expected}`);
  });

  it('accepts a request signed with the secret within five minutes', () => {
    const signature = slackSignature(SECRET, ts, body);
    expect(
      verifySlackRequest({ secret: SECRET, signature, timestamp: ts, rawBody: body, now }),
    ).toEqual({ ok: true });
    const fourMinutesLater = new Date(now.getTime() + 4 * 60_000);
    expect(
      verifySlackRequest({
        secret: SECRET,
        signature,
        timestamp: ts,
        rawBody: body,
        now: fourMinutesLater,
      }).ok,
    ).toBe(true);
  });

  it('refuses another secret, a changed body, a missing header and an old timestamp', () => {
    const signature = slackSignature(SECRET, ts, body);
    const check = (changes: Partial<Parameters<typeof verifySlackRequest>[0]>) =>
      verifySlackRequest({
        secret: SECRET,
        signature,
        timestamp: ts,
        rawBody: body,
        now,
        ...changes,
      });
    expect(check({ secret: 'other' })).toEqual({ ok: false, reason: 'bad signature' });
    expect(check({ rawBody: `${body}&x=1` })).toEqual({ ok: false, reason: 'bad signature' });
    expect(check({ signature: undefined }).ok).toBe(false);
    expect(check({ timestamp: 'yesterday' }).ok).toBe(false);
    const sixMinutesLater = new Date(now.getTime() + 6 * 60_000);
    expect(check({ now: sixMinutesLater })).toEqual({
      ok: false,
      reason: 'timestamp outside the five-minute window',
    });
  });
});

describe('the OAuth state', () => {
  const state = {
    businessId: 'b1',
    userId: 'u1',
    nonce: 'n1',
    expiresAt: Math.floor(now.getTime() / 1000) + 60,
  };

  it('comes back as it was signed, until it expires', () => {
    const signed = signState('key', state);
    expect(verifyState('key', signed, now)).toEqual(state);
    expect(verifyState('key', signed, new Date(now.getTime() + 61_000))).toBeUndefined();
  });

  it('is refused when signed with another key or changed', () => {
    const signed = signState('key', state);
    expect(verifyState('other', signed, now)).toBeUndefined();
    const [, mac] = signed.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...state, businessId: 'b2' })).toString('base64url')}.${mac ?? ''}`;
    expect(verifyState('key', forged, now)).toBeUndefined();
    expect(verifyState('key', 'garbage', now)).toBeUndefined();
  });
});
