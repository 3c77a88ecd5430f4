/**
 * Terminal jobs never change, so they are served from memory: keyed by credential fingerprint and job (data
 * fetched with one credential is never served to another), bounded in entries, and with a TTL so that access
 * revoked upstream stops being honored from cache within that time.
 *
 * With a shared store (Redis, when configured) a miss here is looked up there, and what is learnt here is
 * written there, so a finished job is fetched once for all replicas. An entry copied from the store keeps the age
 * it had there: the TTL bounds its age across the cluster, not per replica.
 */
import { LRUCache } from 'lru-cache';
import type { JobModel } from '../model/job.js';
import { credentialJobKey, type JobRef } from '../model/job-ref.js';

export interface TerminalCacheOptions {
  /** Entries kept at most; 0 disables the cache. @default 10000 */
  max: number;
  /** How long an entry is served. @default 60000 */
  ttlMs: number;
}

/**
 * A second level shared by replicas (cluster/job-store.ts), for terminal jobs here and for observations of running
 * ones (observations.ts); failures count as misses (the job is then fetched upstream).
 */
export interface SharedJobStore {
  /** The job and how long it may still be served, or undefined. */
  get(key: string): Promise<{ job: JobModel; ttlMs: number } | undefined>;
  set(key: string, job: JobModel, ttlMs: number): void;
}

export class TerminalJobCache {
  private readonly lru: LRUCache<string, JobModel> | null;
  private readonly ttlMs: number;

  constructor(
    options: TerminalCacheOptions,
    private readonly shared: SharedJobStore | null = null,
  ) {
    this.ttlMs = options.ttlMs;
    this.lru = options.max > 0 && options.ttlMs > 0 ? new LRUCache({ max: options.max, ttl: options.ttlMs }) : null;
  }

  /** A hit in memory answers synchronously; a miss asks the shared store, if any. */
  get(fingerprint: string, job: Omit<JobRef, 'requestId'>): JobModel | undefined | Promise<JobModel | undefined> {
    if (!this.lru) return undefined;
    const key = credentialJobKey(job, fingerprint);
    const hit = this.lru.get(key);
    if (hit || !this.shared) return hit;
    return this.shared.get(key).then((found) => {
      if (!found) return undefined;
      this.lru?.set(key, found.job, { ttl: found.ttlMs });
      return found.job;
    });
  }

  /** Remembers a job if it is terminal; anything else is ignored. */
  offer(fingerprint: string, job: JobModel | null): void {
    if (!this.lru || !job?.terminal) return;
    const key = credentialJobKey(job, fingerprint);
    if (this.lru.has(key)) return; // already known (perhaps from the shared store): keep its age
    this.lru.set(key, job);
    this.shared?.set(key, job, this.ttlMs);
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }
}
