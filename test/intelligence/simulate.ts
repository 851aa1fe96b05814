// Populations drawn from the BG/NBD and Gamma-Gamma processes with known parameters, from a
// seeded generator, so a fit can be checked against the truth. Test code only.
import type { BgNbdParameters } from '../../src/modules/intelligence/models/bgnbd.ts';

/** mulberry32: a small seeded uniform generator on [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 through the boost u^(1/shape). */
export function gamma(random: () => number, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * Math.pow(random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export interface SimulatedCustomer {
  x: number;
  tx: number;
  T: number;
}

/**
 * Customers who each made a first purchase at time 0 and are watched for `T` time units: while
 * alive they buy at rate λ ~ Gamma(r, α), and after each repeat purchase drop out with
 * probability p ~ Beta(a, b).
 */
export function simulateBgNbd(
  { r, alpha, a, b }: BgNbdParameters,
  customers: number,
  T: (index: number) => number,
  random: () => number,
): SimulatedCustomer[] {
  const population: SimulatedCustomer[] = [];
  for (let index = 0; index < customers; index++) {
    const rate = gamma(random, r) / alpha;
    const ga = gamma(random, a);
    const dropout = ga / (ga + gamma(random, b));
    const age = T(index);
    let x = 0;
    let tx = 0;
    let t = 0;
    for (;;) {
      t += -Math.log(1 - random()) / rate;
      if (t > age) break;
      x += 1;
      tx = t;
      if (random() < dropout) break;
    }
    population.push({ x, tx, T: age });
  }
  return population;
}
