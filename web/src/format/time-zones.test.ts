// Time zones as a marketer types them.
import { describe, expect, it } from 'vitest';

import { resolveTimeZone, timeZoneNames } from './time-zones';

describe('time zones as typed', () => {
  it('lists every zone the engine knows, with UTC', () => {
    const names = timeZoneNames();
    expect(names).toContain('America/Chicago');
    expect(names).toContain('Europe/Paris');
    expect(names).toContain('UTC');
  });

  it('turns a city into its zone, whatever the case and spacing', () => {
    expect(resolveTimeZone('Chicago')).toBe('America/Chicago');
    expect(resolveTimeZone('chicago')).toBe('America/Chicago');
    expect(resolveTimeZone(' new york ')).toBe('America/New_York');
    expect(resolveTimeZone('Paris, France')).toBe('Europe/Paris');
    expect(resolveTimeZone('Indianapolis')).toMatch(/^America\/(Indiana\/)?Indianapolis$/);
  });

  it('keeps an IANA name, in its canonical spelling', () => {
    expect(resolveTimeZone('America/Chicago')).toBe('America/Chicago');
    expect(resolveTimeZone('america/chicago')).toBe('America/Chicago');
    expect(resolveTimeZone('utc')).toBe('UTC');
  });

  it('finds a city the list spells another way, and a unique start of a name', () => {
    expect(resolveTimeZone('Kolkata')).toMatch(/^Asia\/(Kolkata|Calcutta)$/);
    expect(resolveTimeZone('Chica')).toBe('America/Chicago');
  });

  it('answers null for nothing, nonsense and an ambiguous start', () => {
    expect(resolveTimeZone('')).toBeNull();
    expect(resolveTimeZone('Narnia')).toBeNull();
    expect(resolveTimeZone('San')).toBeNull(); // San Juan? Santiago? Santo Domingo?
  });
});
