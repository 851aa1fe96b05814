// The report reader on the shapes real feedback loops and MTAs write: folded headers, quoted
// boundaries, a base64 report part, LF-only line endings, a DSN with several recipients.
import { describe, expect, it } from 'vitest';

import { FeedbackReportError, parseRawReport, reportOfNotification } from './feedback-report.ts';

const original = 'Message-ID:\n <abc-123@mail.herald.example>\nSubject: Hello\n\nHi';

describe('parseRawReport', () => {
  it('reads a folded multipart/report header and a base64 feedback-report part', () => {
    const fields = Buffer.from(
      'Feedback-Type: abuse\r\nArrival-Date: Tue, 1 Dec 2026 10:00:00 +0000\r\n',
    ).toString('base64');
    const report = [
      'Content-Type: multipart/report;',
      '  boundary="=_b 1"; report-type="feedback-report"',
      '',
      'preamble',
      '--=_b 1',
      'Content-Type: message/feedback-report',
      'Content-Transfer-Encoding: base64',
      '',
      fields,
      '--=_b 1',
      'Content-Type: text/rfc822-headers',
      '',
      original,
      '--=_b 1--',
    ].join('\n');
    expect(parseRawReport(report)).toEqual({
      type: 'complaint',
      messageId: '<abc-123@mail.herald.example>',
      occurredAt: new Date('2026-12-01T10:00:00Z'),
      detail: 'abuse',
    });
  });

  it('takes the failed recipient of a DSN with several, and a 4.x.x failure is soft', () => {
    const report = [
      'Content-Type: multipart/report; report-type=delivery-status; boundary=x',
      '',
      '--x',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example',
      '',
      'Final-Recipient: rfc822; ok@example.org',
      'Action: delivered',
      'Status: 2.0.0',
      '',
      'Final-Recipient: rfc822; <full@example.org>',
      'Action: failed',
      'Status: 4.2.2 (mailbox full)',
      '',
      '--x',
      'Content-Type: message/rfc822',
      '',
      original,
      '--x--',
    ].join('\r\n');
    expect(parseRawReport(report)).toMatchObject({
      type: 'bounce',
      bounceType: 'soft',
      email: 'full@example.org',
      messageId: '<abc-123@mail.herald.example>',
    });
  });

  it('names what is missing', () => {
    const noBoundary = 'Content-Type: multipart/report; report-type=feedback-report\n\n';
    expect(() => parseRawReport(noBoundary)).toThrow(FeedbackReportError);
    expect(() => parseRawReport(noBoundary)).toThrow(/boundary/);
    const otherType =
      'Content-Type: multipart/report; report-type=disposition-notification; boundary=a\n\n--a--';
    expect(() => parseRawReport(otherType)).toThrow(/report-type/);
  });
});

describe('reportOfNotification', () => {
  it('adds the angle brackets a relay left out and refuses what is not a Message-ID', () => {
    expect(reportOfNotification({ type: 'complaint', messageId: 'b-1@x.example' })).toMatchObject({
      messageId: '<b-1@x.example>',
    });
    expect(() => reportOfNotification({ type: 'complaint', messageId: 'two words@x' })).toThrow(
      /Message-ID/,
    );
  });
});
