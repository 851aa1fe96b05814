// Requests Herald makes to addresses its users give it (a webhook target, a page to add to the
// knowledge base). Private, loopback and link-local targets are refused unless configured,
// checking the address actually connected to, so a DNS answer cannot sneak one in; redirects are
// followed by hand with the same check on every hop, and a body past its cap is cut off.
import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

import ipaddr from 'ipaddr.js';

/** A target Herald will not call: a private address, or a scheme other than http(s). */
export class RefusedTarget extends Error {}

/** Whether an address is one Herald may call without being allowed private targets. */
export function isPublicAddress(address: string): boolean {
  // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) back into IPv4 first.
  return ipaddr.isValid(address) && ipaddr.process(address).range() === 'unicast';
}

/**
 * A DNS lookup for http.request that refuses a host resolving to a non-public address.
 * `setting` names the variable that would allow it, for the message.
 */
export function guardedLookup(allowPrivate: boolean, setting: string): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const list = addresses;
      const refused = list.find((entry) => !allowPrivate && !isPublicAddress(entry.address));
      if (refused) {
        callback(
          new RefusedTarget(
            `refused to connect to ${hostname} (${refused.address}): private, loopback and link-local targets are not allowed (${setting})`,
          ),
          '',
          0,
        );
        return;
      }
      if (options.all) callback(null, list);
      else callback(null, list[0]?.address ?? '', list[0]?.family ?? 4);
    });
  };
}

/** The refusal of a literal non-public IP host, checked before connecting (no lookup sees it). */
export function literalHostRefusal(
  target: URL,
  allowPrivate: boolean,
  setting: string,
): RefusedTarget | undefined {
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host) && !allowPrivate && !isPublicAddress(host)) {
    return new RefusedTarget(
      `refused to connect to ${host}: private, loopback and link-local targets are not allowed (${setting})`,
    );
  }
  return undefined;
}

export interface FetchPublicOptions {
  /** The body is cut off, and the fetch fails with TooLarge, past this many bytes. */
  maxBytes: number;
  /** For the whole fetch, redirects included. */
  timeoutMs: number;
  allowPrivate?: boolean;
  /** The variable that allows private targets, named in refusals. */
  allowPrivateSetting?: string;
  maxRedirects?: number;
  headers?: Record<string, string>;
}

export interface FetchedPage {
  /** The address the body came from, after redirects. */
  url: string;
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

/** The body was larger than the caller's cap. */
export class TooLarge extends Error {
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`the response is larger than ${maxBytes} bytes`);
    this.maxBytes = maxBytes;
  }
}

/** A GET to an address a user gave: http(s) only, public targets only, capped and timed. */
export async function fetchPublic(url: string, options: FetchPublicOptions): Promise<FetchedPage> {
  const allowPrivate = options.allowPrivate ?? false;
  const setting = options.allowPrivateSetting ?? 'private targets are not allowed here';
  const maxRedirects = options.maxRedirects ?? 5;
  const deadline = Date.now() + options.timeoutMs;
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    if (target.protocol !== 'https:' && target.protocol !== 'http:') {
      throw new RefusedTarget(`refused to fetch a ${target.protocol} URL: only http(s)`);
    }
    const refusal = literalHostRefusal(target, allowPrivate, setting);
    if (refusal) throw refusal;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`no answer within ${options.timeoutMs} ms`);
    const page = await getOnce(target, {
      ...options,
      timeoutMs: remaining,
      lookup: guardedLookup(allowPrivate, setting),
    });
    if ('location' in page) {
      if (hop >= maxRedirects) throw new Error(`more than ${maxRedirects} redirects`);
      target = new URL(page.location, target);
      continue;
    }
    return page;
  }
}

function getOnce(
  target: URL,
  options: FetchPublicOptions & { lookup: LookupFunction },
): Promise<FetchedPage | { location: string }> {
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      {
        method: 'GET',
        headers: { 'user-agent': 'Herald/1', accept: '*/*', ...options.headers },
        lookup: options.lookup,
        // No connection reuse: each hop's address goes through the guarded lookup.
        agent: false,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (status >= 300 && status < 400 && location) {
          response.resume();
          resolve({ location });
          return;
        }
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          request.destroy(new TooLarge(options.maxBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            request.destroy(new TooLarge(options.maxBytes));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          resolve({
            url: target.toString(),
            status,
            contentType: response.headers['content-type'],
            body: Buffer.concat(chunks),
          });
        });
        response.on('error', reject);
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on('close', () => {
      clearTimeout(timer);
    });
    request.on('error', reject);
    request.end();
  });
}

export interface PostJsonOptions {
  /** For the whole request, from connecting to the last byte read. */
  timeoutMs: number;
  allowPrivate: boolean;
  /** The variable that allows private targets, named in refusals. */
  allowPrivateSetting: string;
  headers?: Record<string, string>;
  /** How much of the answer's body to keep (the rest is read up to 8 KB and dropped). */
  excerptChars?: number;
}

/** The receiver's answer: its status and the start of its body. */
export interface PostAnswer {
  statusCode: number;
  excerpt: string;
}

const MAX_ANSWER_BYTES = 8 * 1024;

/**
 * POSTs a JSON body to an address a user gave (a webhook target, a Slack webhook URL): the
 * caller has checked the scheme; private targets are refused here, on the literal host and on
 * the address connected to. Resolves with the answer, whatever its status; rejects when none
 * came (RefusedTarget, network error, timeout). Redirects are not followed: a 3xx is an answer.
 */
export function postJson(url: URL, body: string, options: PostJsonOptions): Promise<PostAnswer> {
  const refusal = literalHostRefusal(url, options.allowPrivate, options.allowPrivateSetting);
  if (refusal) return Promise.reject(refusal);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...options.headers,
        },
        lookup: guardedLookup(options.allowPrivate, options.allowPrivateSetting),
        // No connection reuse: every request's address goes through the guarded lookup.
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          resolve({
            statusCode: response.statusCode ?? 0,
            excerpt: Buffer.concat(chunks)
              .toString('utf8')
              .slice(0, options.excerptChars ?? 0),
          });
        };
        response.on('data', (chunk: Buffer) => {
          if (size >= MAX_ANSWER_BYTES) return;
          size += chunk.length;
          chunks.push(chunk);
          if (size >= MAX_ANSWER_BYTES) {
            finish();
            response.destroy();
          }
        });
        response.on('end', finish);
        response.on('error', reject);
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on('close', () => {
      clearTimeout(timer);
    });
    request.on('error', reject);
    request.end(body);
  });
}
