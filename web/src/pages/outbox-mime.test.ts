// A kept email read back into what a subscriber sees: the messages below are what nodemailer
// (Herald's mailer) wrote, quoted-printable with soft line breaks and UTF-8, plus a nested
// multipart with a base64 HTML part and an attachment.
import { describe, expect, it } from 'vitest';

import { headerParameter, previewDocument, readEmail } from './outbox-mime';

const ALTERNATIVE =
  'From: Blue Door <hello@bluedoor.example>\r\nTo: ann@example.com\r\nSubject: =?UTF-8?Q?Cr=C3=A8me_br=C3=BBl=C3=A9e_Saturday?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary="--_NmP-96fc2b26105f5122-Part_1"\r\n\r\n----_NmP-96fc2b26105f5122-Part_1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHello Ann =E2=80=94 cr=C3=A8me br=C3=BBl=C3=A9e on Saturday.\r\n----_NmP-96fc2b26105f5122-Part_1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p style=3D"color:#333">Hello Ann =E2=80=94 <b>cr=C3=A8me =\r\nbr=C3=BBl=C3=A9e</b> on Saturday. A long line that goes on and on to force =\r\na soft line break.</p>\r\n----_NmP-96fc2b26105f5122-Part_1--\r\n';

const TEXT_ONLY =
  'From: hello@bluedoor.example\r\nTo: ann@example.com\r\nSubject: Plain\r\nContent-Transfer-Encoding: quoted-printable\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n=D0=A2=D0=BE=D0=BB=D1=8C=D0=BA=D0=BE =D1=82=D0=B5=D0=BA=D1=81=D1=82. Just =\r\ntext.\r\nSecond line.\r\n';

const NESTED = [
  'Content-Type: multipart/mixed; boundary=outer',
  '',
  '--outer',
  'Content-Type: multipart/alternative; boundary="inner"',
  '',
  '--inner',
  'Content-Type: text/plain; charset=us-ascii',
  '',
  'Plain part',
  '--inner',
  'Content-Type: text/html; charset=utf-8',
  'Content-Transfer-Encoding: base64',
  '',
  btoa('<p>Caf\u00c3\u00a9 time</p>'), // the UTF-8 bytes of "<p>Café time</p>"
  '--inner--',
  '--outer',
  'Content-Type: text/html',
  'Content-Disposition: attachment; filename="menu.html"',
  '',
  '<p>An attachment, not the email</p>',
  '--outer--',
  '',
].join('\r\n');

describe('reading a kept email', () => {
  it('decodes both parts of a multipart/alternative message, soft line breaks and UTF-8 included', () => {
    const email = readEmail(ALTERNATIVE);
    expect(email.text).toBe('Hello Ann — crème brûlée on Saturday.');
    expect(email.html).toBe(
      '<p style="color:#333">Hello Ann — <b>crème brûlée</b> on Saturday. A long line that goes on and on to force a soft line break.</p>',
    );
  });

  it('reads a text-only message', () => {
    expect(readEmail(TEXT_ONLY)).toEqual({
      html: null,
      text: 'Только текст. Just text.\nSecond line.\n',
    });
  });

  it('finds the parts inside nested multiparts, decodes base64 and leaves attachments out', () => {
    expect(readEmail(NESTED)).toEqual({ text: 'Plain part', html: '<p>Café time</p>' });
  });

  it('reads quoted and bare header parameters', () => {
    expect(headerParameter('multipart/alternative; boundary="a b"', 'boundary')).toBe('a b');
    expect(headerParameter('text/plain; charset=UTF-8; format=flowed', 'charset')).toBe('UTF-8');
    expect(headerParameter('text/plain', 'charset')).toBeUndefined();
  });

  it('wraps the HTML in a document that loads nothing from the network', () => {
    const doc = previewDocument('<p>Hi</p>');
    expect(doc).toContain(`default-src 'none'; img-src data:`);
    expect(doc).toContain('<body><p>Hi</p></body>');
  });
});
