// One circuit breaker per outside service (an LLM provider, an SMTP server, a webhook host),
// created on first use and shared by everything in the process that calls that service. Every
// call through one is counted (`herald_outbound_requests_total{service,outcome}` and its
// duration), every state change too (`herald_circuit_breaker_transitions_total`); the states
// feed /health and the `herald_circuit_breaker_state` gauge (docs/operations-outbound.md).
import {
  BrokenCircuitError,
  circuitBreaker,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  handleAll,
  type IBackoff,
  type IBackoffFactory,
} from 'cockatiel';

import type { Metrics } from './metrics.ts';

export type BreakerStateName = 'closed' | 'open' | 'half-open' | 'isolated';

const STATE_NAMES: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** The gauge's encoding, documented in docs/operations-outbound.md. */
const GAUGE_VALUES: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 3,
};

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold?: number;
  /** How long the circuit stays open before trial calls are let through. */
  halfOpenAfterMs?: number;
  /** Trial calls let through while half-open; all must succeed to close it, one failure reopens. */
  halfOpenMaxCalls?: number;
}

/** The CIRCUIT_BREAKER_* settings (config.breakers). */
export interface BreakerDefaults {
  failureThreshold: number;
  recoveryTimeoutMs: number;
  halfOpenMaxCalls: number;
}

/**
 * What a caller that passes its own options (the LLM providers: LLM_BREAKER_*) gets for what it
 * leaves out: the breaker it always had, one trial call.
 */
const CALLER_DEFAULTS = { failureThreshold: 5, halfOpenAfterMs: 30_000, halfOpenMaxCalls: 1 };

const CONFIG_DEFAULTS: BreakerDefaults = {
  failureThreshold: 5,
  recoveryTimeoutMs: 60_000,
  halfOpenMaxCalls: 3,
};

/** True when the call was refused by an open (or isolated) breaker, without being made. */
export function isBreakerRejection(error: unknown): boolean {
  return error instanceof BrokenCircuitError;
}

/** `smtp` of `smtp:mail.example.com:587`: the label of the outbound metrics. */
export function serviceOf(breakerName: string): string {
  const colon = breakerName.indexOf(':');
  return colon === -1 ? breakerName : breakerName.slice(0, colon);
}

/**
 * Cockatiel measures the open period with Date.now(); this backoff makes the decision on the
 * registry's clock instead (tests move it), by answering "no wait left" once `recoveryMs` have
 * passed on that clock since the circuit opened, and "wait" before.
 */
function clockedRecovery(recoveryMs: number, now: () => number): IBackoffFactory<unknown> {
  const factory: IBackoffFactory<unknown> = {
    next(): IBackoff<unknown> {
      const openedAt = now();
      return {
        get duration() {
          return now() - openedAt >= recoveryMs ? 0 : Number.MAX_SAFE_INTEGER;
        },
        next: () => factory.next(undefined),
      };
    },
  };
  return factory;
}

/** A breaker as its callers see it: `execute` through it, its `state`. */
export class Breaker {
  readonly name: string;
  readonly policy: CircuitBreakerPolicy;
  private readonly metrics: Metrics | undefined;
  private readonly recoveryMs: number;
  private readonly now: () => number;
  private openedAt = 0;

  constructor(
    name: string,
    policy: CircuitBreakerPolicy,
    metrics: Metrics | undefined,
    clock: { recoveryMs: number; now: () => number },
  ) {
    this.name = name;
    this.policy = policy;
    this.metrics = metrics;
    this.recoveryMs = clock.recoveryMs;
    this.now = clock.now;
    policy.onStateChange((state) => {
      if (state === CircuitState.Open) this.openedAt = clock.now();
    });
  }

  get state(): CircuitState {
    return this.policy.state;
  }

  /**
   * True while a call would be refused without trying: open and within its recovery time, or
   * isolated. Lets a caller hold back new work (a dispatcher's claims) instead of churning it.
   */
  get refusing(): boolean {
    const state = this.policy.state;
    if (state === CircuitState.Isolated) return true;
    return state === CircuitState.Open && this.now() - this.openedAt < this.recoveryMs;
  }

  /** Holds the circuit open until the handle is disposed (an operator's switch). */
  isolate(): { dispose(): void } {
    return this.policy.isolate();
  }

  /**
   * Runs `fn` through the breaker. A thrown error counts as the service's failure; a failure the
   * service is not to blame for (a 4xx, a refused recipient) should come back as a value.
   * Rejected at once with cockatiel's BrokenCircuitError (isBreakerRejection) while open.
   */
  async execute<T>(fn: () => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    const service = serviceOf(this.name);
    const started = performance.now();
    // Tells a refusal by the breaker from a call that was made and failed.
    const call = { made: false };
    try {
      const value = await this.policy.execute(() => {
        call.made = true;
        return fn();
      }, signal);
      this.record(service, 'success', started);
      return value;
    } catch (error) {
      if (!call.made && isBreakerRejection(error)) {
        this.metrics?.outboundRequests.inc({ service, outcome: 'rejected' });
      } else {
        this.record(service, 'failure', started);
      }
      throw error;
    }
  }

  private record(service: string, outcome: 'success' | 'failure', started: number) {
    this.metrics?.outboundRequests.inc({ service, outcome });
    this.metrics?.outboundRequestDuration.observe(
      { service },
      (performance.now() - started) / 1000,
    );
  }
}

export class BreakerRegistry {
  private readonly breakers = new Map<string, Breaker>();
  private readonly metrics: Metrics | undefined;
  private readonly defaults: BreakerDefaults;
  private readonly now: () => number;

  constructor(
    metrics?: Metrics,
    defaults: BreakerDefaults = CONFIG_DEFAULTS,
    options: { now?: (() => number) | undefined } = {},
  ) {
    this.metrics = metrics;
    this.defaults = defaults;
    this.now = options.now ?? Date.now;
  }

  /**
   * The breaker named `name` (`<service>:<target>`, e.g. `smtp:mail.example.com:587`), created
   * the first time it is asked for: with `options` when given (unset fields: a threshold of 5,
   * 30 s open, one trial call), else with the CIRCUIT_BREAKER_* settings.
   */
  get(name: string, options?: BreakerOptions): Breaker {
    const existing = this.breakers.get(name);
    if (existing) return existing;
    const settings = options
      ? { ...CALLER_DEFAULTS, ...options }
      : {
          failureThreshold: this.defaults.failureThreshold,
          halfOpenAfterMs: this.defaults.recoveryTimeoutMs,
          halfOpenMaxCalls: this.defaults.halfOpenMaxCalls,
        };
    const policy = circuitBreaker(handleAll, {
      halfOpenAfter: clockedRecovery(settings.halfOpenAfterMs, this.now),
      breaker: new ConsecutiveBreaker(settings.failureThreshold),
      // N trial calls, none of which may fail (threshold 0 of N).
      halfOpenSampling: { calls: settings.halfOpenMaxCalls, threshold: 0 },
    });
    const breaker = new Breaker(name, policy, this.metrics, {
      recoveryMs: settings.halfOpenAfterMs,
      now: this.now,
    });
    this.breakers.set(name, breaker);
    this.metrics?.breakerState.set({ breaker: name }, GAUGE_VALUES[policy.state]);
    let previous = policy.state;
    policy.onStateChange((state) => {
      this.metrics?.breakerState.set({ breaker: name }, GAUGE_VALUES[state]);
      this.metrics?.breakerTransitions.inc({
        breaker: name,
        from: STATE_NAMES[previous],
        to: STATE_NAMES[state],
      });
      previous = state;
    });
    return breaker;
  }

  states(): Record<string, BreakerStateName> {
    return Object.fromEntries(
      [...this.breakers].map(([name, breaker]) => [name, STATE_NAMES[breaker.state]]),
    );
  }
}
