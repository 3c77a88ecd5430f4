/**
 * Prometheus metrics (prom-client), one registry per server so that several servers in one process (tests,
 * benchmarks) never mix their numbers. Served on GET /metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  upstreamRequests: Counter<'service' | 'route' | 'status'>;
  upstreamDuration: Histogram<'service' | 'route'>;
  upstreamRetries: Counter<'service' | 'route'>;
  breakerState: Gauge<'host'>;
  loaderBatchSize: Histogram<'loader'>;
  operations: Counter<'type'>;
  errors: Counter<'code'>;
  pollTicks: Counter<'outcome'>;
  jobReads: Counter<'source'>;
  clusterDegraded: Gauge;
  clusterDegradedEntered: Counter;
  clusterLeases: Counter<'event'>;
  connectionsRefused: Counter<'transport'>;
  heartbeatTimeouts: Counter<'transport'>;
  oversizedMessages: Counter<'transport'>;
}

export interface MetricsSources {
  /** Jobs polled now. */
  pollers(): number;
  /** Subscribers attached now. */
  subscribers(): number;
  /** Open connections by transport (WebSocket, streaming HTTP). */
  connections(): Record<string, number>;
  /** With Redis: jobs this replica polls for the cluster (leader), receives (follower), polls alone (local). */
  clusterRoles?(): Record<'leader' | 'follower' | 'local', number>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    upstreamRequests: new Counter({
      name: 'upstream_requests_total',
      help: 'Upstream HTTP attempts by service, route and HTTP status ("error" when no response arrived).',
      labelNames: ['service', 'route', 'status'],
      registers: [registry],
    }),
    upstreamDuration: new Histogram({
      name: 'upstream_request_duration_seconds',
      help: 'Latency of upstream HTTP attempts.',
      labelNames: ['service', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    upstreamRetries: new Counter({
      name: 'upstream_retries_total',
      help: 'Retries of upstream calls after a network error, 429 or 5xx.',
      labelNames: ['service', 'route'],
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'upstream_circuit_state',
      help: 'Circuit breaker state per upstream host: 0 closed, 1 open, 2 half-open.',
      labelNames: ['host'],
      registers: [registry],
    }),
    loaderBatchSize: new Histogram({
      name: 'loader_batch_size',
      help: 'Keys per DataLoader batch.',
      labelNames: ['loader'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    operations: new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations by type (query, subscription, ...).',
      labelNames: ['type'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'graphql_errors_total',
      help: 'GraphQL errors sent to clients, by extensions.code.',
      labelNames: ['code'],
      registers: [registry],
    }),
    pollTicks: new Counter({
      name: 'poll_ticks_total',
      help: 'Poll ticks (a job, or up to 20 Cloud Phone jobs polled together), by outcome (ok, failed).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    jobReads: new Counter({
      name: 'job_reads_total',
      help: 'Reads of a job not answered by the terminal cache, by what answered: window (a recent observation here), shared (one another replica stored), in_flight (a read under way), upstream (a new call).',
      labelNames: ['source'],
      registers: [registry],
    }),
    clusterDegraded: new Gauge({
      name: 'cluster_degraded',
      help: '1 while Redis is configured but does not answer for some of the jobs here (unreachable, or a primary down), so this replica polls them on its own.',
      registers: [registry],
    }),
    clusterDegradedEntered: new Counter({
      name: 'cluster_degraded_total',
      help: 'Times this replica lost Redis and fell back to polling on its own.',
      registers: [registry],
    }),
    clusterLeases: new Counter({
      name: 'cluster_leases_total',
      help: 'Poller leases acquired (this replica starts polling a job for the cluster) and released.',
      labelNames: ['event'],
      registers: [registry],
    }),
    connectionsRefused: new Counter({
      name: 'connections_refused_total',
      help: 'New connections refused with HTTP 503 because MAX_CONNECTIONS were open (or the server was shutting down).',
      labelNames: ['transport'],
      registers: [registry],
    }),
    heartbeatTimeouts: new Counter({
      name: 'connections_heartbeat_timeouts_total',
      help: 'Connections terminated because the peer did not answer a heartbeat within KEEPALIVE_MS.',
      labelNames: ['transport'],
      registers: [registry],
    }),
    oversizedMessages: new Counter({
      name: 'connections_oversized_messages_total',
      help: 'Connections closed (WebSocket 1009) because a message was larger than MAX_REQUEST_BYTES.',
      labelNames: ['transport'],
      registers: [registry],
    }),
  };
}

/** Gauges read on scrape from live state. */
export function observeSources(metrics: Metrics, sources: MetricsSources): void {
  new Gauge({ name: 'subscription_pollers', help: 'Jobs being polled for subscribers.', registers: [metrics.registry], collect() { this.set(sources.pollers()); } });
  new Gauge({ name: 'subscription_subscribers', help: 'Subscribers attached to pollers.', registers: [metrics.registry], collect() { this.set(sources.subscribers()); } });
  new Gauge({
    name: 'connections_open',
    help: 'Open connections by transport (they count against MAX_CONNECTIONS).',
    labelNames: ['transport'],
    registers: [metrics.registry],
    collect() {
      for (const [transport, n] of Object.entries(sources.connections())) this.set({ transport }, n);
    },
  });
  const roles = sources.clusterRoles;
  if (roles) {
    new Gauge({
      name: 'cluster_jobs',
      help: 'Jobs with subscribers here, by role: leader (polled here for all replicas), follower, local (Redis down).',
      labelNames: ['role'],
      registers: [metrics.registry],
      collect() {
        for (const [role, n] of Object.entries(roles())) this.set({ role }, n);
      },
    });
  }
}
