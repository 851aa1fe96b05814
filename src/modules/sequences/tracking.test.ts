// Unit tests of the signed tracking links written into emails: each kind of link verifies back
// to what was signed, and a token that was altered, cut, or signed with another key is refused.
import { createHash, createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { createTrackingLinks } from './tracking.ts';

const links = createTrackingLinks({ secret: 'server-secret', publicUrl: 'https://herald.test/' });

/** The token of a link: the last path segment. */
function tokenOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

function signedWith(key: Buffer | string, payload: unknown): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

describe('tracking links', () => {
  it('writes each link under the public URL, and each verifies back to what was signed', () => {
    const open = links.openUrl('delivery-1');
    const click = links.clickUrl('delivery-1', 'https://shop.example/bread?x=1&y=2#top');
    const unsubscribe = links.unsubscribeUrl('delivery-1');
    const subscriber = links.subscriberUnsubscribeUrl('business-1', 'subscriber-1');

    expect(open).toMatch(/^https:\/\/herald\.test\/e\/o\/[\w-]+\.[\w-]+$/);
    expect(click).toMatch(/^https:\/\/herald\.test\/e\/c\/[\w-]+\.[\w-]+$/);
    expect(unsubscribe).toMatch(/^https:\/\/herald\.test\/e\/u\/[\w-]+\.[\w-]+$/);
    expect(subscriber).toMatch(/^https:\/\/herald\.test\/e\/u\/[\w-]+\.[\w-]+$/);

    expect(links.verify(tokenOf(open))).toEqual({ k: 'o', d: 'delivery-1' });
    expect(links.verify(tokenOf(click))).toEqual({
      k: 'c',
      d: 'delivery-1',
      u: 'https://shop.example/bread?x=1&y=2#top',
    });
    expect(links.verify(tokenOf(unsubscribe))).toEqual({ k: 'u', d: 'delivery-1' });
    expect(links.verify(tokenOf(subscriber))).toEqual({
      k: 's',
      b: 'business-1',
      s: 'subscriber-1',
    });
  });

  it('keeps a destination with non-ASCII characters exact', () => {
    const url = 'https://shop.example/pâtisserie?q=crème brûlée&ü=✓';
    expect(links.verify(tokenOf(links.clickUrl('d', url)))).toEqual({ k: 'c', d: 'd', u: url });
  });

  it('refuses a click token whose destination was swapped under the original signature', () => {
    const [, signature] = tokenOf(links.clickUrl('delivery-1', 'https://shop.example')).split('.');
    const forged = Buffer.from(
      JSON.stringify({ k: 'c', d: 'delivery-1', u: 'https://evil.example' }),
    ).toString('base64url');
    expect(links.verify(`${forged}.${signature ?? ''}`)).toBeUndefined();
  });

  it('refuses a token with an altered, cut or missing signature', () => {
    const token = tokenOf(links.openUrl('delivery-1'));
    const [body = '', mac = ''] = token.split('.');
    const flipped = `${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    expect(links.verify(`${body}.${flipped}`)).toBeUndefined();
    expect(links.verify(`${body}.${mac.slice(0, -4)}`)).toBeUndefined();
    expect(links.verify(`${body}.`)).toBeUndefined();
    expect(links.verify(body)).toBeUndefined();
    expect(links.verify('')).toBeUndefined();
  });

  it("refuses a token signed by another server's secret, or with the secret itself as the key", () => {
    const other = createTrackingLinks({ secret: 'other-secret', publicUrl: 'https://herald.test' });
    expect(links.verify(tokenOf(other.openUrl('delivery-1')))).toBeUndefined();
    // The tracking key is derived from the secret, so a token MACed with the raw secret (as a
    // JWT would be) is not a tracking token.
    expect(links.verify(signedWith('server-secret', { k: 'o', d: 'delivery-1' }))).toBeUndefined();
  });

  it('refuses, without throwing, a correctly signed token that is not a payload Herald writes', () => {
    const key = createHash('sha256').update('herald-email-tracking:server-secret').digest();
    // The derived key really is the one in use: a well-formed payload signed with it verifies.
    expect(links.verify(signedWith(key, { k: 'o', d: 'delivery-1' }))).toEqual({
      k: 'o',
      d: 'delivery-1',
    });
    expect(links.verify(signedWith(key, { k: 'x', d: 'delivery-1' }))).toBeUndefined();
    expect(links.verify(signedWith(key, { k: 'c', d: 'delivery-1' }))).toBeUndefined();
    const notJson = Buffer.from('not json').toString('base64url');
    const mac = createHmac('sha256', key).update(notJson).digest('base64url');
    expect(links.verify(`${notJson}.${mac}`)).toBeUndefined();
  });

  it('recognises its own unsubscribe links, and only those', () => {
    expect(links.isUnsubscribeUrl(links.unsubscribeUrl('delivery-1'))).toBe(true);
    expect(links.isUnsubscribeUrl(links.subscriberUnsubscribeUrl('b', 's'))).toBe(true);
    expect(links.isUnsubscribeUrl(links.clickUrl('delivery-1', 'https://herald.test/e/u/x'))).toBe(
      false,
    );
    expect(links.isUnsubscribeUrl('https://elsewhere.example/e/u/token')).toBe(false);
  });
});
