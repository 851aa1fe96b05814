// Nelder–Mead minimisation (Nelder & Mead 1965, with the adaptive coefficients of Gao & Han 2012
// and scipy's stopping rule: the simplex is within `xTolerance` of its best point in every
// coordinate and its values within `fTolerance`). Written here rather than taken from npm: the
// one maintained-looking package (fmin 0.0.4) exports nothing when imported as an ES module and
// reads its tolerance from the wrong option. The models call it on log-parameters, so every
// point it tries is valid.

export interface MinimizeOptions {
  maxIterations?: number;
  xTolerance?: number;
  fTolerance?: number;
  /** Initial step, relative to each coordinate (absolute when the coordinate is 0). */
  initialStep?: number;
}

export interface Minimum {
  x: number[];
  value: number;
  iterations: number;
  converged: boolean;
}

export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  options: MinimizeOptions = {},
): Minimum {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 400 * n;
  const xTolerance = options.xTolerance ?? 1e-10;
  const fTolerance = options.fTolerance ?? 1e-10;
  const step = options.initialStep ?? 0.05;
  // Adaptive coefficients: steadier than the classic 1, 2, ½, ½ as the dimension grows.
  const reflect = 1;
  const expand = 1 + 2 / n;
  const contract = 0.75 - 1 / (2 * n);
  const shrink = 1 - 1 / n;

  const points: number[][] = [start.slice()];
  for (let i = 0; i < n; i++) {
    const point = start.slice();
    point[i] = (point[i] as number) === 0 ? step : (point[i] as number) * (1 + step);
    points.push(point);
  }
  let values = points.map(f);
  const along = (from: number[], to: number[], t: number) =>
    from.map((value, i) => value + t * ((to[i] as number) - value));

  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations += 1;
    const order = values
      .map((_, i) => i)
      .sort((a, b) => (values[a] as number) - (values[b] as number));
    const sortedPoints = order.map((i) => points[i] as number[]);
    values = order.map((i) => values[i] as number);
    points.splice(0, points.length, ...sortedPoints);
    const best = points[0] as number[];
    const spread = Math.max(
      ...points
        .slice(1)
        .map((point) => Math.max(...point.map((v, i) => Math.abs(v - (best[i] as number))))),
    );
    const valueSpread = Math.max(
      ...values.slice(1).map((v) => Math.abs(v - (values[0] as number))),
    );
    if (spread <= xTolerance && valueSpread <= fTolerance) {
      converged = true;
      break;
    }
    const worst = points[n] as number[];
    const worstValue = values[n] as number;
    const centroid = new Array<number>(n).fill(0);
    for (let p = 0; p < n; p++) {
      for (let i = 0; i < n; i++)
        centroid[i] = (centroid[i] as number) + ((points[p] as number[])[i] as number) / n;
    }
    const reflected = along(centroid, worst, -reflect);
    const reflectedValue = f(reflected);
    if (reflectedValue < (values[0] as number)) {
      const expanded = along(centroid, worst, -reflect * expand);
      const expandedValue = f(expanded);
      if (expandedValue < reflectedValue) {
        points[n] = expanded;
        values[n] = expandedValue;
      } else {
        points[n] = reflected;
        values[n] = reflectedValue;
      }
      continue;
    }
    if (reflectedValue < (values[n - 1] as number)) {
      points[n] = reflected;
      values[n] = reflectedValue;
      continue;
    }
    // Contract towards the better of the reflected and the worst point.
    const outside = reflectedValue < worstValue;
    const contracted = outside
      ? along(centroid, worst, -reflect * contract)
      : along(centroid, worst, contract);
    const contractedValue = f(contracted);
    if (contractedValue < (outside ? reflectedValue : worstValue)) {
      points[n] = contracted;
      values[n] = contractedValue;
      continue;
    }
    for (let p = 1; p <= n; p++) {
      points[p] = along(best, points[p] as number[], shrink);
      values[p] = f(points[p] as number[]);
    }
  }
  const bestIndex = values.indexOf(Math.min(...values));
  return {
    x: points[bestIndex] as number[],
    value: values[bestIndex] as number,
    iterations,
    converged,
  };
}

/** Nelder–Mead restarted from its own answer until it stops improving (a collapsed simplex can stall early). */
export function minimize(
  f: (x: number[]) => number,
  start: number[],
  options: MinimizeOptions & { restarts?: number } = {},
): Minimum {
  let result = nelderMead(f, start, options);
  let iterations = result.iterations;
  for (let restart = 0; restart < (options.restarts ?? 3); restart++) {
    const next = nelderMead(f, result.x, options);
    iterations += next.iterations;
    const improved = result.value - next.value > (options.fTolerance ?? 1e-10);
    result = next.value <= result.value ? next : result;
    if (!improved) break;
  }
  return { ...result, iterations };
}
