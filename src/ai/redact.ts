// Secrets out of what the AI layer keeps: a transcript holds whatever a prompt carried (a pasted
// API key, a customer's note with a password, a tool result with a token), so before it is stored
// every string is scrubbed of key-shaped text and every field named like a secret is blanked.
export const REDACTED = '[REDACTED]';

/** Field names whose string values are secrets, whatever they look like. */
const SECRET_FIELD =
  /(pass(word|wd|phrase)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|authorization|credentials?|cookie)$/i;

const PATTERNS: [RegExp, string][] = [
  // Bearer and Basic credentials in a header written out.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REDACTED}`],
  // OpenAI-style keys (sk-…, sk-proj-…), Anthropic (sk-ant-…).
  [/\bsk-[A-Za-z0-9_-]{8,}/g, REDACTED],
  // GitHub, Slack, Stripe, AWS access key ids, Google API keys.
  [
    /\b(gh[pousr]_[A-Za-z0-9]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|(sk|rk)_(live|test)_[A-Za-z0-9]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})\b/g,
    REDACTED,
  ],
  // JSON web tokens.
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, REDACTED],
  // "password: hunter2", "api_key=…", "token": "…" written inside text.
  [
    /\b((?:pass(?:word|wd)?|secret|token|api[-_]?key)\s*["']?\s*[:=]\s*["']?)[^\s"',;}]{3,}/gi,
    `$1${REDACTED}`,
  ],
];

export function redactText(text: string): string {
  let result = text;
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/** A deep copy of `value` with secrets replaced by [REDACTED] (JSON-shaped input). */
export function redact<T>(value: T): T {
  return redactValue(value, undefined) as T;
}

function redactValue(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') {
    return key !== undefined && SECRET_FIELD.test(key) && value !== ''
      ? REDACTED
      : redactText(value);
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, undefined));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, redactValue(item, name)]),
    );
  }
  return value;
}
