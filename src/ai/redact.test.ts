// The secrets a kept transcript must not hold, and the marketing text it must keep as written.
import { describe, expect, it } from 'vitest';

import { redact, REDACTED, redactText } from './redact.ts';

describe('redact', () => {
  it('blanks API keys, bearer tokens and key=value secrets inside text', () => {
    const text = [
      'my OpenAI key is sk-proj-abcdefghijklmnop1234',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def-ghi',
      'password: hunter2!',
      'api_key=AbCdEf123456',
      'stripe sk_live_abcdefghij1234 and github ghp_abcdefghijklmnopqrstuvwxyz0123',
    ].join('\n');
    const clean = redactText(text);
    for (const secret of [
      'sk-proj-abcdefghijklmnop1234',
      'eyJhbGciOiJIUzI1NiJ9',
      'hunter2',
      'AbCdEf123456',
      'sk_live_abcdefghij1234',
      'ghp_abcdefghijklmnopqrstuvwxyz0123',
    ]) {
      expect(clean).not.toContain(secret);
    }
    expect(clean).toContain(`Bearer ${REDACTED}`);
    expect(clean).toContain('my OpenAI key is');
  });

  it('blanks fields named like secrets, deep in objects and arrays, and keeps the rest', () => {
    const value = {
      messages: [{ role: 'user', content: 'Use token sk-abcdefgh12345678 please' }],
      tool: { result: { apiKey: 'plain-looking', password: 'x', smtpPassword: 'y', name: 'VIP' } },
      accessToken: 'abc',
      promptTokens: 120,
      empty: '',
    };
    expect(redact(value)).toEqual({
      messages: [{ role: 'user', content: `Use token ${REDACTED} please` }],
      tool: {
        result: { apiKey: REDACTED, password: REDACTED, smtpPassword: REDACTED, name: 'VIP' },
      },
      accessToken: REDACTED,
      promptTokens: 120,
      empty: '',
    });
  });

  it('leaves ordinary marketing text alone', () => {
    const text =
      'Spring sale: 20% off sourdough, token of thanks for our regulars. Password-free login!';
    expect(redactText(text)).toBe(text);
  });
});
