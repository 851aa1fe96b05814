import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { CENSOR, createLogger, redactLine } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level: 'info', pretty: false, destination });
  return { logger, lines, text: () => lines.join('\n') };
}

describe('log redaction', () => {
  it('censors sensitive keys at any depth, in arrays and whatever their case', () => {
    const { logger, lines, text } = capture();
    logger.info(
      {
        password: 'hunter2-top',
        request: { headers: { Authorization: 'Bearer eyJ-secret', 'x-api-key': 'hk_live_1' } },
        deep: { a: { b: { c: { d: { refreshToken: 'hrt_deep' } } } } },
        list: [{ token: 'tok-in-array' }, { 'set-cookie': ['sid=abc', 'csrf=def'] }],
        tokenType: 'Bearer',
        email: 'ann@example.com',
      },
      'user signed in',
    );
    expect(text()).not.toMatch(/hunter2|eyJ-secret|hk_live_1|hrt_deep|tok-in-array|sid=abc/);
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({
      password: CENSOR,
      request: { headers: { Authorization: CENSOR, 'x-api-key': CENSOR } },
      deep: { a: { b: { c: { d: { refreshToken: CENSOR } } } } },
      list: [{ token: CENSOR }, { 'set-cookie': CENSOR }],
      // Names that merely contain a sensitive word are kept.
      tokenType: 'Bearer',
      email: 'ann@example.com',
      msg: 'user signed in',
    });
  });

  it('censors bindings of child loggers and properties of logged errors', () => {
    const { logger, text } = capture();
    logger.child({ apiKey: 'hk_child_binding' }).info('child line');
    logger.error(
      { err: Object.assign(new Error('smtp failed'), { smtpUrl: 'smtp://u:pw-in-url@mail' }) },
      'mail not sent',
    );
    expect(text()).toContain('child line');
    expect(text()).toContain('smtp failed');
    expect(text()).not.toMatch(/hk_child_binding|pw-in-url/);
  });

  it('passes a line without sensitive keys through unchanged', () => {
    const line = '{"level":"info","msg":"request completed","statusCode":200}\n';
    expect(redactLine(line)).toBe(line);
  });
});
