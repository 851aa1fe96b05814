// Reads a kept email's MIME source into what a subscriber sees: its HTML part and its plain-text
// part, with quoted-printable and base64 decoded in the part's charset. Enough MIME for what
// Herald's mailer writes (nested multiparts, folded headers); attachments are left out.

export interface ReadableEmail {
  html: string | null;
  text: string | null;
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

function splitPart(source: string): Part {
  const match = /\r?\n\r?\n/.exec(source);
  const head = match ? source.slice(0, match.index) : source;
  const body = match ? source.slice(match.index + match[0].length) : '';
  const headers = new Map<string, string>();
  // A folded header continues on lines that start with a space or a tab.
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** A parameter of a header value: `boundary` of `multipart/alternative; boundary="x"`. */
export function headerParameter(value: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return match?.[1] ?? match?.[2];
}

function bytesOfQuotedPrintable(body: string): Uint8Array {
  const joined = body.replace(/=\r?\n/g, ''); // soft line breaks
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined[i] === '=' ? joined.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      // Raw characters of a quoted-printable body are ASCII; anything else is kept as UTF-8.
      bytes.push(...new TextEncoder().encode(joined[i]));
    }
  }
  return Uint8Array.from(bytes);
}

function bytesOfBase64(body: string): Uint8Array {
  const binary = atob(body.replace(/[^A-Za-z0-9+/=]/g, ''));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function decoded(part: Part): string {
  return decodedBody(part).replace(/\r\n/g, '\n');
}

function decodedBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const charset = headerParameter(part.headers.get('content-type') ?? '', 'charset') ?? 'utf-8';
  let bytes: Uint8Array;
  if (encoding === 'quoted-printable') bytes = bytesOfQuotedPrintable(part.body);
  else if (encoding === 'base64') bytes = bytesOfBase64(part.body);
  else return part.body; // 7bit / 8bit: the text as it came
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes); // a charset the browser does not know
  }
}

function childrenOf(part: Part, boundary: string): Part[] {
  const delimiter = `--${boundary}`;
  const children: string[][] = [];
  let current: string[] | undefined;
  for (const line of part.body.split(/\r?\n/)) {
    const trimmed = line.trimEnd();
    if (trimmed === `${delimiter}--`) break;
    if (trimmed === delimiter) {
      current = [];
      children.push(current);
    } else {
      current?.push(line);
    }
  }
  return children.map((lines) => splitPart(lines.join('\n')));
}

function walk(part: Part, found: ReadableEmail, depth: number): void {
  const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
  const disposition = (part.headers.get('content-disposition') ?? '').toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = headerParameter(part.headers.get('content-type') ?? '', 'boundary');
    if (!boundary || depth > 10) return;
    for (const child of childrenOf(part, boundary)) walk(child, found, depth + 1);
    return;
  }
  if (disposition.startsWith('attachment')) return;
  if (type.startsWith('text/html') && found.html === null) found.html = decoded(part);
  else if (type.startsWith('text/plain') && found.text === null) found.text = decoded(part);
}

export function readEmail(raw: string): ReadableEmail {
  const found: ReadableEmail = { html: null, text: null };
  walk(splitPart(raw), found, 0);
  return found;
}

/**
 * The HTML part as a document for a sandboxed iframe (`sandbox=""`: no scripts, forms or
 * navigation of the dashboard). Its own policy loads nothing from the network — images come only
 * inline, as the email carries them (`data:`), so reading a kept email never counts as an open —
 * and links open nowhere.
 */
export function previewDocument(html: string): string {
  return [
    '<!doctype html><html><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:">`,
    '<base target="_blank">',
    '</head><body>',
    html,
    '</body></html>',
  ].join('');
}
