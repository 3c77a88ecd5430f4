/**
 * The shared level in Redis of what replicas learn about jobs, one key space per kind:
 * - `<prefix>:{<credential job key>}:terminal`: finished jobs (loaders/terminal-cache.ts), TTL the terminal cache's;
 * - `<prefix>:{<credential job key>}:observed`: the latest observation of a running job (loaders/observations.ts),
 *   TTL the freshness window, so its age is bounded cluster-wide.
 * The braces are the job's Cluster hash tag, the same as its lease's (cluster/keys.ts).
 * Each holds the job's JSON with a TTL that keeps its age across replicas (a reader gets the remaining TTL). Keys
 * carry the credential's fingerprint (model/job-ref.ts), never the credential. Lookups are best-effort: when Redis
 * fails, the job is fetched upstream.
 */
import type { SharedJobStore } from '../loaders/terminal-cache.js';
import type { JobModel } from '../model/job.js';
import { deserializeJob, serializeJob } from '../model/serialize.js';
import { jobRedisKey } from './keys.js';
import type { RedisLink } from './redis.js';

export type StoredJobKind = 'terminal' | 'observed';

/**
 * How long a lookup may take before it counts as a miss. Redis answers in a millisecond or two; a lookup that
 * takes longer is waiting on a primary that is down (a Cluster shard before its replica is promoted retries for
 * about a second), and a cache must not make a poll or a query that much slower.
 */
const LOOKUP_BUDGET_MS = 200;

export class RedisJobStore implements SharedJobStore {
  constructor(
    private readonly link: RedisLink,
    private readonly prefix: string,
    private readonly kind: StoredJobKind,
    private readonly lookupBudgetMs = LOOKUP_BUDGET_MS,
  ) {}

  async get(key: string): Promise<{ job: JobModel; ttlMs: number } | undefined> {
    if (!this.link.up) return undefined;
    const redisKey = this.keyOf(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      // Auto-pipelined: the lookups of one DataLoader batch travel together.
      const lookup = Promise.all([this.link.command.get(redisKey), this.link.command.pttl(redisKey)]);
      const late = new Promise<null>((resolve) => (timer = setTimeout(resolve, this.lookupBudgetMs, null)));
      const found = await Promise.race([lookup, late]);
      if (found === null) return undefined;
      const [text, ttlMs] = found;
      if (text === null || ttlMs <= 0) return undefined;
      return { job: deserializeJob(text), ttlMs };
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
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
    return jobRedisKey(this.prefix, key, this.kind);
  }
}
