// The Intelligence page's numbers as a marketer reads them: cents in the run's currency, calendar
// days that do not shift with the viewer's zone, signed changes, and every RFM segment named.
import { describe, expect, it } from 'vitest';

import {
  formatDay,
  formatDelta,
  formatMoney,
  SEGMENT_HINTS,
  SEGMENT_LABELS,
  SEGMENT_ORDER,
} from './intelligence-format';

describe('intelligence numbers', () => {
  it('shows cents as money in the run’s currency, whole units when asked', () => {
    expect(formatMoney(123_450, 'USD')).toBe('$1,234.50');
    expect(formatMoney(123_450, 'USD', true)).toBe('$1,235');
    expect(formatMoney(999, 'EUR')).toBe('€9.99');
  });

  it('still shows an amount in a currency code the browser does not know', () => {
    expect(formatMoney(1_050, 'XYZ1')).toBe('10.5 XYZ1');
  });

  it('shows the as-of day as the day it is, in any zone', () => {
    expect(formatDay('1997-09-30')).toBe('Sep 30, 1997');
  });

  it('signs changes', () => {
    expect(formatDelta(12)).toBe('+12');
    expect(formatDelta(-3)).toBe('−3');
    expect(formatDelta(0)).toBe('0');
  });

  it('names and explains all eleven segments', () => {
    expect(SEGMENT_ORDER).toHaveLength(11);
    expect(SEGMENT_LABELS.cannot_lose).toBe('Cannot lose them');
    expect(SEGMENT_LABELS.potential_loyalists).toBe('Potential loyalists');
    for (const segment of SEGMENT_ORDER) expect(SEGMENT_HINTS[segment]).not.toBe('');
  });
});
