// What a marketer types into a budget field, read as cents; and money shown with its currency.
import { describe, expect, it } from 'vitest';

import { centsToInput, formatCents, formatUsd, parseMoney } from './money';

const cents = (text: string) => {
  const parsed = parseMoney(text);
  return parsed.ok ? parsed.cents : `error: ${parsed.error}`;
};

describe('budget amounts as typed', () => {
  it('reads dollar signs, thousands commas and cents', () => {
    expect(cents('$300')).toBe(30_000);
    expect(cents('300.50')).toBe(30_050);
    expect(cents('1,500')).toBe(150_000);
    expect(cents('$1,500')).toBe(150_000);
    expect(cents('$1,500.25')).toBe(150_025);
    expect(cents('1,234,567')).toBe(123_456_700);
    expect(cents(' USD 20 ')).toBe(2_000);
    expect(cents('20 $')).toBe(2_000);
    expect(cents('1 500')).toBe(150_000);
    expect(cents('.5')).toBe(50);
    expect(cents('0')).toBe(0);
  });

  it('reads a decimal comma before one or two digits', () => {
    expect(cents('12,50')).toBe(1_250);
    expect(cents('1.500,25')).toBe(150_025);
  });

  it('reads an empty field as no amount', () => {
    expect(parseMoney('')).toEqual({ ok: true, cents: null });
    expect(parseMoney('   ')).toEqual({ ok: true, cents: null });
  });

  it('refuses nonsense with a message to show on the field', () => {
    for (const text of ['abc', 'ten dollars', '$', '1,5,00', '1.2.3', '12a', ',', '1,00,000']) {
      expect(parseMoney(text).ok, text).toBe(false);
    }
    expect(cents('-5')).toBe('error: A budget cannot be negative');
    expect(cents('1.234')).toBe('error: At most two decimals (cents)');
    expect(cents('€300')).toBe('error: Amounts are in US dollars');
  });

  it('gives back an amount in cents as the field shows it, and it reads the same again', () => {
    expect(centsToInput(150_000)).toBe('1500.00');
    expect(centsToInput(null)).toBe('');
    expect(cents(centsToInput(150_025))).toBe(150_025);
  });
});

describe('money shown with its currency', () => {
  it('shows dollars with the sign, and keeps the digits of costs under a cent', () => {
    expect(formatUsd(0.42)).toBe('$0.42');
    expect(formatUsd(1500)).toBe('$1,500.00');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.0042)).toBe('$0.0042');
    expect(formatCents(150_000)).toBe('$1,500.00');
    expect(formatCents(null)).toBe('—');
  });
});
