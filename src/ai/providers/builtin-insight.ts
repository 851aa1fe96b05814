// The builtin provider's narrative of an intelligence run: the largest segments, the customers at
// high churn risk and their value, what changed since the previous run, and three actions. It
// writes only figures of its input, formatted the way the grounding check reads them (counts
// with separators, money in major units with the currency, fractions as percentages), so its
// answer passes the same check a model's must.
import type { RunInsightInput } from '../tasks.ts';
import { lowerFirst } from './builtin-profile.ts';
import { BUILTIN_NOTE, type TemplateContext } from './builtin-templates.ts';

const plainName = (identifier: string) => identifier.replaceAll('_', ' ');
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
const signed = (value: number) => (value > 0 ? `+${count(value)}` : `−${count(-value)}`);

/** Money in major units, whole: `$12,346`, `€980`, or `12,346 THB` without a sign to show it. */
function moneyOf(currency: string): (cents: number) => string {
  let format: Intl.NumberFormat | undefined;
  try {
    format = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      currencyDisplay: 'narrowSymbol',
      maximumFractionDigits: 0,
    });
  } catch {
    format = undefined; // not an ISO 4217 code Intl knows
  }
  return (cents) => {
    const shown = format?.format(cents / 100);
    return shown && /\p{Sc}/u.test(shown) ? shown : `${count(cents / 100)} ${currency}`;
  };
}

/** The largest entries of a count map, largest first (ties by name, so the text is stable). */
function largest(counts: Readonly<Record<string, number>>, n: number): [string, number][] {
  return Object.entries(counts)
    .filter(([, value]) => value !== 0)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || a[0].localeCompare(b[0]))
    .slice(0, n);
}

function shareOf(input: RunInsightInput, group: string, key: string): number | undefined {
  const shares = input.ratios[group];
  return typeof shares === 'object' ? shares[key] : undefined;
}

export function runInsightTemplate({ input }: TemplateContext<RunInsightInput>) {
  const money = moneyOf(input.currency);
  const { figures, model } = input;
  const customers = model.counts.customers ?? 0;
  const horizon =
    input.horizon.months === undefined
      ? `${input.horizon.days} days`
      : `${input.horizon.months} months`;
  const segments = largest(figures.rfmSegments, 2);
  const segmentText = segments.map(([name, size]) => {
    const share = shareOf(input, 'rfmSegments', name);
    return `${plainName(name)} with ${count(size)}${share === undefined ? '' : ` (${percent(share)})`}`;
  });
  const first = [
    `${BUILTIN_NOTE}, from the run of ${input.asOf}.`,
    segmentText.length > 0
      ? `Of ${count(customers)} customers with an order, the largest segment is ${segmentText.join(', followed by ')}.`
      : `No customer had an order by ${input.asOf}.`,
  ];
  const { atRisk, clv } = figures;
  if (atRisk && clv) {
    const share = input.ratios.atRiskCustomers;
    first.push(
      `${count(atRisk.customers)} customers are at high churn risk${typeof share === 'number' ? ` (${percent(share)})` : ''}: they spent ${money(atRisk.historicalRevenueCents)} so far and hold ${money(atRisk.clvCents)} of the ${money(clv.totalCents)} of lifetime value expected over the next ${horizon}.`,
    );
    const median = clv.percentiles.p50;
    const top = clv.percentiles.p90;
    if (median !== undefined && top !== undefined) {
      first.push(
        `The median customer is worth ${money(median)}; the top 10% start at ${money(top)}.`,
      );
    }
  } else {
    first.push(
      `Churn risk and lifetime value were not predicted: ${model.reasons.map(lowerFirst).join('; ') || 'the models could not be fitted'}.`,
    );
  }
  const paragraphs = [first.join(' ')];
  const { changes } = input;
  if (changes && input.previousAsOf) {
    const moved = largest(changes.rfmSegments, 3).map(
      ([name, change]) => `${plainName(name)} ${signed(change)}`,
    );
    const second = [
      `Since ${input.previousAsOf}: ${moved.length > 0 ? moved.join(', ') : 'no segment changed size'}, and ${count(changes.newCustomers)} new customers.`,
    ];
    const move = changes.movements[0];
    if (move) {
      second.push(
        `The largest move: ${count(move.customers)} customers went from ${plainName(move.from)} to ${plainName(move.to)}.`,
      );
    }
    paragraphs.push(second.join(' '));
  }

  const champions = figures.rfmSegments.champions ?? 0;
  const loyalists = figures.rfmSegments.potential_loyalists ?? 0;
  const actions = [
    atRisk && atRisk.customers > 0
      ? {
          title: 'Win back customers at high churn risk',
          why: `${count(atRisk.customers)} customers at high churn risk hold ${money(atRisk.clvCents)} of expected value: a win-back sequence for them protects the most revenue.`,
        }
      : {
          title: 'Win back customers who are slipping away',
          why: `${count(figures.rfmSegments.at_risk ?? 0)} customers are in the at risk segment and ${count(figures.rfmSegments.about_to_sleep ?? 0)} are about to sleep: remind them what they liked.`,
        },
    {
      title: 'Thank and reward your champions',
      why: `${count(champions)} champions bought recently and often: a thank-you, early access or a referral ask keeps them close.`,
    },
    model.predictive
      ? {
          title: 'Turn potential loyalists into regulars',
          why: `${count(loyalists)} potential loyalists have bought more than once lately: a second-purchase offer can make them loyal.`,
        }
      : {
          title: 'Collect more order history',
          why: `Predictions need ${count(model.thresholds.minCustomers ?? 0)} customers with an order, ${count(model.thresholds.minHistoryDays ?? 0)} days of history and ${count(model.thresholds.minRepeatCustomers ?? 0)} repeat customers: keep sending orders to Herald.`,
        },
  ];
  const headline =
    atRisk && clv
      ? `${count(atRisk.customers)} customers at high churn risk hold ${money(atRisk.clvCents)} of expected lifetime value`
      : `Your ${count(customers)} customers by RFM segment; churn and lifetime value need more data`;
  return { headline, narrative: paragraphs.join('\n\n'), actions };
}
