// One circuit breaker per outside service (an LLM provider, an SMTP server, a webhook host),
// created on first use and shared by everything in the process that calls that service. Their
// states feed /health and the `herald_circuit_breaker_state` gauge.
import {
  circuitBreaker,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  handleAll,
} from 'cockatiel';

import type { Metrics } from './metrics.ts';

export type BreakerStateName = 'closed' | 'open' | 'half-open' | 'isolated';

const STATE_NAMES: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

const GAUGE_VALUES: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 3,
};

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold?: number;
  /** How long the circuit stays open before one trial call is let through. */
  halfOpenAfterMs?: number;
}

export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly metrics: Metrics | undefined;

  constructor(metrics?: Metrics) {
    this.metrics = metrics;
  }

  /** The breaker named `name`, created with `options` the first time it is asked for. */
  get(name: string, options: BreakerOptions = {}): CircuitBreakerPolicy {
    const existing = this.breakers.get(name);
    if (existing) return existing;
    const breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.halfOpenAfterMs ?? 30_000,
      breaker: new ConsecutiveBreaker(options.failureThreshold ?? 5),
    });
    this.breakers.set(name, breaker);
    this.metrics?.breakerState.set({ breaker: name }, GAUGE_VALUES[breaker.state]);
    breaker.onStateChange((state) => {
      this.metrics?.breakerState.set({ breaker: name }, GAUGE_VALUES[state]);
    });
    return breaker;
  }

  states(): Record<string, BreakerStateName> {
    return Object.fromEntries(
      [...this.breakers].map(([name, breaker]) => [name, STATE_NAMES[breaker.state]]),
    );
  }
}
