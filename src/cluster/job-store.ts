/**
 * The shared level in Redis of what replicas learn about jobs, one key space per kind:
 * - `<prefix>:{<credential job key>}:terminal`: finished jobs (loaders/terminal-cache.ts), TTL the terminal cache's;
 * - `<prefix>:{<credential job key>}:observed`: the latest observation of a running job (loaders/observations.ts),
 *   TTL the freshness window, so its age is bounded cluster-wide.
 * The braces are the job's Cluster hash tag, the same as its lease's (cluster/coordinator.ts).
 * Each holds the job's JSON with a TTL that keeps its age across replicas (a reader gets the remaining TTL). Keys
 * carry the credential's fingerprint (model/job-ref.ts), never the credential. Lookups are best-effort: when Redis
 * fails, the job is fetched upstream.
 */
import type { SharedJobStore } from '../loaders/terminal-cache.js';
import type { JobModel } from '../model/job.js';
import { deserializeJob, serializeJob } from '../model/serialize.js';
import type { RedisLink } from './redis.js';

export type StoredJobKind = 'terminal' | 'observed';

export class RedisJobStore implements SharedJobStore {
  constructor(
    private readonly link: RedisLink,
    private readonly prefix: string,
    private readonly kind: StoredJobKind,
  ) {}

  async get(key: string): Promise<{ job: JobModel; ttlMs: number } | undefined> {
    if (!this.link.up) return undefined;
    const redisKey = this.keyOf(key);
    try {
      // Auto-pipelined: the lookups of one DataLoader batch travel together.
      const [text, ttlMs] = await Promise.all([this.link.command.get(redisKey), this.link.command.pttl(redisKey)]);
      if (text === null || ttlMs <= 0) return undefined;
      return { job: deserializeJob(text), ttlMs };
    } catch {
      return undefined;
    }
  }

  set(key: string, job: JobModel, ttlMs: number): void {
    if (!this.link.up) return;
    const text = serializeJob(job);
    // A finished job's first copy keeps its age (NX: a later fetch does not extend it); a running job's newer
    // observation replaces the older one.
    const write =
      this.kind === 'terminal'
        ? this.link.command.set(this.keyOf(key), text, 'PX', ttlMs, 'NX')
        : this.link.command.set(this.keyOf(key), text, 'PX', ttlMs);
    write.catch(() => undefined);
  }

  private keyOf(key: string): string {
    return `${this.prefix}:{${key}}:${this.kind}`;
  }
}
