/**
 * The terminal-job cache's shared level in Redis: `<prefix>:terminal:<service>|<region>|<project>|<job>|<fingerprint>`
 * holds the finished job's JSON with a TTL, so its age is bounded cluster-wide. Keys carry the credential's
 * fingerprint, never the credential. Lookups are best-effort: when Redis fails, the job is fetched upstream.
 */
import type { SharedTerminalStore } from '../loaders/terminal-cache.js';
import type { JobModel } from '../model/job.js';
import { deserializeJob, serializeJob } from '../model/serialize.js';
import type { RedisLink } from './redis.js';

export class RedisTerminalStore implements SharedTerminalStore {
  constructor(
    private readonly link: RedisLink,
    private readonly prefix: string,
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
    // NX: the first replica's copy keeps its age; a later fetch does not extend it.
    this.link.command.set(this.keyOf(key), serializeJob(job), 'PX', ttlMs, 'NX').catch(() => undefined);
  }

  private keyOf(key: string): string {
    return `${this.prefix}:terminal:${key}`;
  }
}
