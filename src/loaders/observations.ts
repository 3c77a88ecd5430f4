/**
 * What this process last saw of each running job, and the upstream reads in flight: shared by every operation's
 * loaders and by the pollers (docs/architecture.md#one-observation-per-window).
 *
 * - In flight: two reads with the same key (model/job-ref.ts `credentialJobKey`, or a Cloud Phone request id
 *   with the credential's fingerprint) are never in flight at once; a late arrival shares the first one's
 *   result or error. Keys carry the fingerprint, so nothing is shared across credentials.
 * - Freshness window (`JOB_MAX_AGE_MS`): a read that accepts it is answered from an observation of a non-terminal
 *   job at most `maxAgeMs` old, made by anyone (a query, a poller), or, with a shared store (Redis), by another
 *   replica; the store keeps the observation's age (a TTL), so the bound holds across the cluster. Terminal jobs
 *   are not kept here: they go to the terminal-job cache (terminal-cache.ts). `maxAgeMs` 0 turns the window off;
 *   in-flight sharing stays.
 */
import { LRUCache } from 'lru-cache';
import type { JobModel } from '../model/job.js';
import type { Metrics } from '../observability/metrics.js';
import type { SharedJobStore } from './terminal-cache.js';

export interface JobObservationOptions {
  /** How old an observation of a running job may be when it answers a read; 0 turns the window off. @default 1000 */
  maxAgeMs: number;
  /** Observations kept in memory at most. @default 10000 */
  max?: number;
  /** Counts what answered each read (`job_reads_total{source}`). */
  metrics?: Metrics;
}

type ReadSource = 'window' | 'shared' | 'in_flight' | 'upstream';

/** Reads in flight by key: one call per key at a time, its outcome shared by everyone who asked meanwhile. */
export class InFlight<T> {
  private readonly calls = new Map<string, Promise<T>>();

  /** The call in flight for `key`, if any. */
  get(key: string): Promise<T> | undefined {
    return this.calls.get(key);
  }

  /** Joins the call in flight for `key`, or starts `call` and lets others join it until it settles. */
  share(key: string, call: () => Promise<T>): Promise<T> {
    const running = this.calls.get(key);
    if (running) return running;
    const started = call();
    this.track([key], started);
    return started;
  }

  /** Lets later reads of each key join `call` (a batched call that answers several keys) until it settles. */
  track(keys: readonly string[], call: Promise<T>): void {
    for (const key of keys) this.calls.set(key, call);
    const forget = () => {
      for (const key of keys) if (this.calls.get(key) === call) this.calls.delete(key);
    };
    call.then(forget, forget);
  }

  get size(): number {
    return this.calls.size;
  }
}

export class JobObservations<Batch = unknown> {
  readonly maxAgeMs: number;
  /** Job reads in flight, by credential-scoped job key. */
  readonly jobs = new InFlight<JobModel | null>();
  /** Queries' lookups in the shared store in flight, by the same key (a miss goes on to `jobs`). */
  private readonly lookups = new InFlight<JobModel | null>();
  /** Batched calls in flight (Cloud Phone ListJobs), by credential-scoped request id. */
  readonly batches = new InFlight<Batch>();
  private readonly recent: LRUCache<string, JobModel> | null;
  private readonly metrics: Metrics | undefined;

  constructor(
    options: JobObservationOptions,
    private readonly shared: SharedJobStore | null = null,
  ) {
    this.maxAgeMs = options.maxAgeMs;
    this.metrics = options.metrics;
    const max = options.max ?? 10_000;
    this.recent = options.maxAgeMs > 0 && max > 0 ? new LRUCache({ max, ttl: options.maxAgeMs }) : null;
  }

  /**
   * The job under `key`: from an observation young enough (here, else in the shared store) when `fresh` is false,
   * else from the upstream read in flight, else from `fetch` (whose answer is then remembered). `fresh` (pollers)
   * skips the window but still joins an upstream read in flight; it never waits on a query's store lookup.
   */
  read(key: string, fetch: () => Promise<JobModel | null>, fresh = false): Promise<JobModel | null> {
    const young = fresh ? undefined : this.recent?.get(key);
    if (young) return this.counted('window', Promise.resolve(young));
    const fetchNow = () =>
      this.counted(this.jobs.get(key) ? 'in_flight' : 'upstream', this.jobs.share(key, () => fetch().then((job) => (this.remember(key, job), job))));
    const shared = this.shared;
    if (fresh || !this.recent || !shared || this.jobs.get(key)) return fetchNow();
    const looking = this.lookups.get(key);
    if (looking) return this.counted('in_flight', looking);
    return this.lookups.share(key, async () => {
      const stored = await shared.get(key);
      if (!stored || stored.ttlMs <= 0 || stored.job.terminal) return fetchNow();
      // Keeps the age it had in the store: the window bounds it cluster-wide, not per replica.
      this.recent?.set(key, stored.job, { ttl: Math.min(stored.ttlMs, this.maxAgeMs) });
      return this.counted('shared', Promise.resolve(stored.job));
    });
  }

  private counted<T>(source: ReadSource, answer: Promise<T>): Promise<T> {
    this.metrics?.jobReads.inc({ source });
    return answer;
  }

  /** Keeps a running job's state for the window (here and in the shared store); forgets it once terminal. */
  private remember(key: string, job: JobModel | null): void {
    if (!this.recent || !job) return;
    if (job.terminal) {
      this.recent.delete(key);
      return;
    }
    this.recent.set(key, job);
    this.shared?.set(key, job, this.maxAgeMs);
  }

  /** The observation a read of `key` would be answered from now (within the window), if any. */
  current(key: string): JobModel | undefined {
    return this.recent?.get(key);
  }

  /** Observations kept in memory now. */
  get size(): number {
    return this.recent?.size ?? 0;
  }
}
