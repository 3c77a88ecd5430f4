/**
 * Terminal jobs never change, so they are served from memory: keyed by credential fingerprint and job (data
 * fetched with one credential is never served to another), bounded in entries, and with a TTL so that access
 * revoked upstream stops being honoured from cache within that time.
 */
import { LRUCache } from 'lru-cache';
import type { JobModel } from '../model/job.js';

export interface TerminalCacheOptions {
  /** Entries kept at most; 0 disables the cache. @default 10000 */
  max: number;
  /** How long an entry is served. @default 60000 */
  ttlMs: number;
}

export interface JobCoordinates {
  service: string;
  region: string;
  projectId: string;
  jobId: string;
}

const keyOf = (fingerprint: string, job: JobCoordinates) =>
  `${fingerprint}|${job.service}|${job.region}|${job.projectId}|${job.jobId}`;

export class TerminalJobCache {
  private readonly lru: LRUCache<string, JobModel> | null;

  constructor(options: TerminalCacheOptions) {
    this.lru = options.max > 0 && options.ttlMs > 0 ? new LRUCache({ max: options.max, ttl: options.ttlMs }) : null;
  }

  get(fingerprint: string, job: JobCoordinates): JobModel | undefined {
    return this.lru?.get(keyOf(fingerprint, job));
  }

  /** Remembers a job if it is terminal; anything else is ignored. */
  offer(fingerprint: string, job: JobModel | null): void {
    if (this.lru && job?.terminal) this.lru.set(keyOf(fingerprint, job), job);
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }
}
