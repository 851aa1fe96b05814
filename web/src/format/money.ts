// Money in the dashboard: amounts are US dollars (AI costs are priced in dollars, and budgets
// are kept in cents). One formatter shows them ("$0.42", "$1,500.00"); one parser reads what a
// marketer types into a budget field ("$300", "300.50", "1,500") as cents.

const CURRENCY = 'USD';

/** Dollars, with the currency: "$0.42"; costs under a cent keep their digits ("$0.0042"). */
export function formatUsd(dollars: number): string {
  const tiny = dollars > 0 && dollars < 0.01;
  return dollars.toLocaleString(undefined, {
    style: 'currency',
    currency: CURRENCY,
    minimumFractionDigits: 2,
    maximumFractionDigits: tiny ? 4 : 2,
  });
}

/** An amount kept in cents; "—" when there is none. */
export function formatCents(cents: number | null | undefined): string {
  return cents === null || cents === undefined ? '—' : formatUsd(cents / 100);
}

/** What a budget field holds for an amount in cents (plain digits, so it reads back the same). */
export function centsToInput(cents: number | null | undefined): string {
  return cents === null || cents === undefined ? '' : (cents / 100).toFixed(2);
}

export type ParsedMoney = { ok: true; cents: number | null } | { ok: false; error: string };

/**
 * Reads "$300", "300.50", "1,500", "1,500.25", "USD 20" or "" (no amount) as cents. A comma
 * before exactly three digits groups thousands; before one or two it is a decimal comma
 * ("12,50"). Anything else — words, a negative amount, a third decimal — is an error to show.
 */
export function parseMoney(input: string): ParsedMoney {
  const text = input
    .trim()
    .replace(/^(US\$|USD|\$)\s*/i, '')
    .replace(/\s*(USD|\$)$/i, '')
    .replace(/[\s\u00a0]/g, '');
  if (text === '') {
    return input.trim() === ''
      ? { ok: true, cents: null }
      : { ok: false, error: 'Enter an amount such as $1,500 or 300.50' };
  }
  if (text.startsWith('-')) return { ok: false, error: 'A budget cannot be negative' };
  if (/[€£¥]/.test(text)) return { ok: false, error: 'Amounts are in US dollars' };
  if (!/^[\d.,]+$/.test(text) || !/\d/.test(text)) {
    return { ok: false, error: 'Enter an amount such as $1,500 or 300.50' };
  }
  const split = splitDecimal(text);
  if (!split) return { ok: false, error: 'Enter an amount such as $1,500 or 300.50' };
  const [whole, fraction] = split;
  if (fraction.length > 2) return { ok: false, error: 'At most two decimals (cents)' };
  const cents = Number(whole || '0') * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) return { ok: false, error: 'That amount is too large' };
  return { ok: true, cents };
}

/** The digits before and after the decimal mark, or null when the separators make no sense. */
function splitDecimal(text: string): [string, string] | null {
  const marks = text.replace(/\d/g, '');
  const last = marks.at(-1);
  if (last === undefined) return [text, ''];
  const after = text.slice(text.lastIndexOf(last) + 1);
  // One comma before three digits groups thousands ("1,500"); a mark that appears only once,
  // last, is otherwise the decimal mark ("300.50", "12,50", "1.500,25").
  const decimal =
    marks.length === 1
      ? last === ',' && after.length === 3
        ? null
        : last
      : marks.slice(0, -1).includes(last)
        ? null
        : last;
  const whole = decimal ? text.slice(0, text.lastIndexOf(decimal)) : text;
  const fraction = decimal ? after : '';
  const groupMark = decimal === ',' ? '.' : decimal === '.' ? ',' : last;
  const [first = '', ...rest] = whole.split(groupMark);
  if (
    rest.length > 0 &&
    !(/^\d{1,3}$/.test(first) && rest.every((group) => /^\d{3}$/.test(group)))
  ) {
    return null;
  }
  const digits = [first, ...rest].join('');
  if (!/^\d*$/.test(digits) || !/^\d*$/.test(fraction) || (digits === '' && fraction === '')) {
    return null;
  }
  return [digits, fraction];
}
