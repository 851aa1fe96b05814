// Time zones as a marketer types them: "Chicago", "new york", "america/chicago" or the full
// IANA name all mean one zone, and the picker lists every zone the browser knows.

const REGIONS = [
  'America',
  'Europe',
  'Asia',
  'Africa',
  'Australia',
  'Pacific',
  'Atlantic',
  'Indian',
  'Antarctica',
];

let cachedNames: string[] | undefined;

/** Every IANA zone the browser knows, sorted, with UTC (some engines leave it out). */
export function timeZoneNames(): string[] {
  cachedNames ??= [...new Set([...Intl.supportedValuesOf('timeZone'), 'UTC'])].sort();
  return cachedNames;
}

/** The browser's own zone: the default for a new business. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The zone's canonical spelling if the engine accepts it (the server's test is the same). */
function canonical(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const comparable = (text: string) =>
  text
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .trim();
const cityOf = (zone: string) => comparable(zone.slice(zone.lastIndexOf('/') + 1));

/**
 * What a user typed, as an IANA zone: an IANA name in any case as is, a city ("Chicago",
 * "new york", "Kolkata") as its zone, a unique start of a city ("Chica") too. Null when no
 * single zone matches.
 */
export function resolveTimeZone(input: string, names: string[] = timeZoneNames()): string | null {
  const text = (input.split(',')[0] ?? '').trim();
  if (!text) return null;
  const wanted = comparable(text);
  const listed = names.find((name) => comparable(name) === wanted);
  if (listed) return listed;
  if (text.includes('/') || /^(utc|gmt)$/i.test(text)) {
    const known = canonical(text.replace(/\s+/g, '_'));
    if (known) return known;
  }
  const cities = names.filter((name) => cityOf(name) === wanted);
  if (cities.length === 1) return cities[0] ?? null;
  // A city the list spells differently (engines list Asia/Calcutta, people type Kolkata).
  const asId = text
    .split(/\s+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join('_');
  for (const region of REGIONS) {
    const known = canonical(`${region}/${asId}`);
    if (known) return known;
  }
  const starts = names.filter((name) => cityOf(name).startsWith(wanted));
  return starts.length === 1 ? (starts[0] ?? null) : null;
}
