/**
 * One circuit breaker per upstream host (cockatiel): after consecutive failures that say "the service is down"
 * (no answer, timeouts, 5xx) calls to that host fail fast with UPSTREAM_UNAVAILABLE, and after a pause one
 * trial call decides whether to close again. 4xx and 429 are answers from a live service and never break it.
 */
import { CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import { ErrorCode, UpstreamError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';

export interface BreakerOptions {
  /** Consecutive failures that open a host's circuit. @default 5 */
  threshold: number;
  /** How long an open circuit fails fast before one trial call. @default 10000 */
  halfOpenAfterMs: number;
  metrics?: Metrics;
}

const STATE_VALUE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.Open]: 1,
  [CircuitState.HalfOpen]: 2,
  [CircuitState.Isolated]: 1,
};

export function isOutage(err: unknown): boolean {
  if (!(err instanceof UpstreamError) || err.final) return false;
  return err.code === ErrorCode.UpstreamUnavailable || (err.upstream.httpStatus !== null && err.upstream.httpStatus >= 500);
}

export class CircuitBreakers {
  private readonly byHost = new Map<string, CircuitBreakerPolicy>();

  constructor(private readonly options: BreakerOptions) {}

  /** The breaker of the host behind a base URL. */
  for(baseUrl: string): CircuitBreakerPolicy {
    const host = new URL(baseUrl).host;
    let breaker = this.byHost.get(host);
    if (!breaker) {
      breaker = circuitBreaker(handleWhen(isOutage), {
        halfOpenAfter: this.options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(this.options.threshold),
      });
      const gauge = this.options.metrics?.breakerState;
      gauge?.set({ host }, 0);
      breaker.onStateChange((state) => gauge?.set({ host }, STATE_VALUE[state]));
      this.byHost.set(host, breaker);
    }
    return breaker;
  }

  /** State per host, for readiness and tests. */
  states(): Record<string, 'closed' | 'open' | 'half-open'> {
    const out: Record<string, 'closed' | 'open' | 'half-open'> = {};
    for (const [host, b] of this.byHost) {
      out[host] = b.state === CircuitState.Closed ? 'closed' : b.state === CircuitState.HalfOpen ? 'half-open' : 'open';
    }
    return out;
  }
}
