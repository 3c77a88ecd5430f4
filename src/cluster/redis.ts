/**
 * The two Redis connections a replica keeps (ioredis): one for commands, one in subscriber mode (Redis allows
 * nothing else on a subscribed connection). Both reconnect forever in the background; `up` says whether both are
 * usable right now, and `'up'`/`'down'` are emitted on each change, so the coordinator can fall back to local
 * polling at once instead of waiting on commands that cannot be answered.
 */
import { EventEmitter } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

export interface RedisLinkOptions {
  url: string;
  logger: Logger;
  /** A command not answered within this fails (and counts as Redis being unreachable). @default 1000 */
  commandTimeoutMs?: number;
}

/** Reconnect quickly at first, then every second, forever: Redis coming back must be noticed soon. */
const retryStrategy = (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 4), 1000);

export class RedisLink extends EventEmitter<{ up: []; down: [] }> {
  readonly command: Redis;
  readonly subscriber: Redis;
  private wasUp = false;
  private closing = false;
  private readonly logger: Logger;

  constructor({ url, logger, commandTimeoutMs = 1000 }: RedisLinkOptions) {
    super();
    this.logger = logger;
    const common: RedisOptions = { connectTimeout: 2000, retryStrategy, lazyConnect: true };
    // Commands fail at once while disconnected (no offline queue): the caller degrades instead of waiting.
    this.command = new Redis(url, {
      ...common,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      // Concurrent lookups (a DataLoader batch, a lease round) go out as one pipeline.
      enableAutoPipelining: true,
      connectionName: 'cloud-jobs-subgraph',
    });
    // The subscriber queues its SUBSCRIBE until connected and re-subscribes after every reconnect.
    this.subscriber = new Redis(url, { ...common, maxRetriesPerRequest: null, connectionName: 'cloud-jobs-subgraph:events' });
    for (const connection of [this.command, this.subscriber]) {
      // ioredis reports every failed reconnect as an 'error' event; without a listener each would be thrown.
      connection.on('error', (err: Error) => this.logger.debug({ err: err.message }, 'redis connection error'));
      connection.on('ready', () => this.update());
      connection.on('close', () => this.update());
      connection.on('end', () => this.update());
    }
  }

  /** Starts connecting; resolves at once (a replica serves, polling locally, while Redis is unreachable). */
  connect(): void {
    for (const connection of [this.command, this.subscriber]) connection.connect().catch(() => this.update());
  }

  get up(): boolean {
    return this.command.status === 'ready' && this.subscriber.status === 'ready';
  }

  private update(): void {
    const up = this.up;
    if (up === this.wasUp || this.closing) return;
    this.wasUp = up;
    this.emit(up ? 'up' : 'down');
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [this.command, this.subscriber].map(async (connection) => {
        try {
          if (connection.status === 'ready') await connection.quit();
        } catch {
          // already gone
        }
        connection.disconnect();
      }),
    );
  }
}
