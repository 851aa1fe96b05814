// BFGS quasi-Newton minimisation (Nocedal & Wright 2006, algorithm 6.1) with a backtracking
// line search on the Armijo condition, for smooth functions whose gradient is known exactly. The
// models call it on log-parameters with their analytic gradient: a few dozen evaluations where
// Nelder–Mead needs hundreds, and each lands on the optimum to the precision of the gradient
// rather than of a collapsed simplex. Written here for the same reason as nelder-mead.ts: no
// small, ES-module-clean npm package does it.

/** The value and gradient at a point; a non-finite value marks the point as unusable. */
export type ValueAndGradient = (x: readonly number[]) => { value: number; gradient: number[] };

export interface BfgsOptions {
  maxIterations?: number;
  /** Stop when every gradient component is at most this in absolute value. */
  gradientTolerance?: number;
  /** The largest change of any coordinate in one step. */
  maxStep?: number;
}

export interface BfgsMinimum {
  x: number[];
  value: number;
  gradient: number[];
  iterations: number;
  evaluations: number;
  converged: boolean;
}

const dot = (u: readonly number[], v: readonly number[]) =>
  u.reduce((sum, value, i) => sum + value * (v[i] as number), 0);

export function bfgs(f: ValueAndGradient, start: readonly number[], options: BfgsOptions = {}) {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.gradientTolerance ?? 1e-8;
  const maxStep = options.maxStep ?? 1;
  let x = start.slice();
  let { value, gradient } = f(x);
  let evaluations = 1;
  if (!Number.isFinite(value)) throw new Error('bfgs: the starting point has no finite value');
  // The inverse Hessian estimate, starting from the identity.
  let h: number[][] = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    if (Math.max(...gradient.map(Math.abs)) <= tolerance) {
      converged = true;
      break;
    }
    iterations += 1;
    let direction = h.map((row) => -dot(row, gradient));
    let slope = dot(direction, gradient);
    if (!(slope < 0)) {
      // Not a descent direction (the estimate went bad): restart from steepest descent.
      h = h.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
      direction = gradient.map((g) => -g);
      slope = dot(direction, gradient);
    }
    // No step moves a coordinate by more than `maxStep` (1 = a factor of e on a log-parameter):
    // the likelihoods have flat ridges off to infinity (a, b → ∞ at a fixed a/b is a fixed
    // dropout probability) that a long step taken on a poor early Hessian estimate can land on.
    let step = Math.min(1, maxStep / Math.max(...direction.map(Math.abs)));
    let next: { value: number; gradient: number[] } | undefined;
    let trial: number[] = x;
    for (let halving = 0; halving < 60; halving++) {
      trial = x.map((value, i) => value + step * (direction[i] as number));
      const candidate = f(trial);
      evaluations += 1;
      if (Number.isFinite(candidate.value) && candidate.value <= value + 1e-4 * step * slope) {
        next = candidate;
        break;
      }
      step /= 2;
    }
    if (!next) break; // no decrease along a descent direction: at the optimum to rounding
    const s = trial.map((value, i) => value - (x[i] as number));
    const y = next.gradient.map((g, i) => g - (gradient[i] as number));
    const sy = dot(s, y);
    const improvement = value - next.value;
    x = trial;
    value = next.value;
    gradient = next.gradient;
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      // H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ
      const rho = 1 / sy;
      const hy = h.map((row) => dot(row, y));
      const yhy = dot(y, hy);
      h = h.map((row, i) =>
        row.map(
          (entry, j) =>
            entry -
            rho * ((hy[i] as number) * (s[j] as number) + (s[i] as number) * (hy[j] as number)) +
            (rho * rho * yhy + rho) * (s[i] as number) * (s[j] as number),
        ),
      );
    }
    // Value and point have stopped moving at double precision: nothing further to gain.
    if (improvement <= 1e-15 * Math.abs(value) && Math.max(...s.map(Math.abs)) <= 1e-12) {
      converged = Math.max(...gradient.map(Math.abs)) <= tolerance * 1e3;
      break;
    }
  }
  return { x, value, gradient, iterations, evaluations, converged } satisfies BfgsMinimum;
}
