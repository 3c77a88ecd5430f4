/**
 * The replica's way to Redis (ioredis), whichever shape Redis has (README.md#highly-available-redis-sentinel-and-cluster):
 * - one node (`REDIS_URL`) or a Sentinel-managed primary (`REDIS_SENTINELS`): a command connection and a
 *   subscriber connection (Redis allows nothing else on a subscribed connection); per-job channels use
 *   SUBSCRIBE/PUBLISH. With Sentinel, ioredis asks the sentinels for the primary on every (re)connect and checks
 *   that the server it reaches is a primary, so a promotion is followed by reconnecting.
 * - a Cluster (`REDIS_CLUSTER_NODES`): one ioredis Cluster, whose commands go to the primary of their key's slot and
 *   whose sharded subscribers (one connection per primary) carry SSUBSCRIBE/SPUBLISH, so a job's changes reach
 *   only the replicas following it. ioredis re-reads the slot map after a failover and re-subscribes.
 * Everything reconnects forever in the background; `up` says whether Redis is usable right now, and `'up'`/`'down'`
 * are emitted on each change, so the coordinator can fall back to local polling at once instead of waiting on
 * commands that cannot be answered.
 */
import { EventEmitter } from 'node:events';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

export interface HostPort {
  host: string;
  port: number;
}

/** Where Redis is, from the configuration (one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES). */
export type RedisTarget =
  | { mode: 'single'; url: string }
  | { mode: 'sentinel'; sentinels: HostPort[]; name: string; username: string | null; password: string | null }
  | { mode: 'cluster'; nodes: HostPort[]; username: string | null; password: string | null };

export interface RedisLinkOptions {
  target: RedisTarget;
  logger: Logger;
  /** A command not answered within this fails (and counts as Redis being unreachable). @default 1000 */
  commandTimeoutMs?: number;
}

/**
 * Reconnect quickly at first, then every half second, forever: Redis coming back, or a replica promoted in a dead
 * primary's place, must be noticed soon, since every replica polls on its own until then (a second's back-off
 * showed as up to a second more of it after a Sentinel promotion).
 */
const retryStrategy = (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 3), 500);

const CONNECTION_NAME = 'cloud-jobs-subgraph';

export class RedisLink extends EventEmitter<{ up: []; down: []; message: [channel: string, message: string] }> {
  /** Commands; in Cluster mode also the sharded subscribers. */
  readonly command: Redis | Cluster;
  /** The subscribed connection, apart from `command` except in Cluster mode. */
  private readonly subscriber: Redis | Cluster;
  private readonly mode: RedisTarget['mode'];
  private wasUp = false;
  private closing = false;
  /** What the last failed connection attempt said (never a credential), for the degraded-mode warning. */
  private lastFailure: string | null = null;
  private readonly logger: Logger;

  constructor({ target, logger, commandTimeoutMs = 1000 }: RedisLinkOptions) {
    super();
    this.logger = logger;
    this.mode = target.mode;
    // Commands fail at once while disconnected (no offline queue): the caller degrades instead of waiting.
    const commandOptions: RedisOptions = {
      connectTimeout: 2000,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      connectionName: CONNECTION_NAME,
    };
    if (target.mode === 'cluster') {
      const auth = credentials(target);
      this.command = new Cluster(target.nodes, {
        lazyConnect: true,
        enableOfflineQueue: false,
        // Concurrent lookups (a DataLoader batch, a lease round) go out as one pipeline per primary.
        enableAutoPipelining: true,
        // ioredis 5.11 keeps (UN)SUBSCRIBE out of auto-pipelines but not their sharded forms: a SSUBSCRIBE batched
        // with a claim of the same slot would send the claim to the subscribed connection, which refuses it.
        autoPipeliningIgnoredCommands: ['ssubscribe', 'sunsubscribe'],
        shardedSubscribers: true,
        clusterRetryStrategy: retryStrategy,
        // Reconnect to a node that restarts without a slot change (a replica), instead of waiting for MOVED.
        clusterNodeRetryStrategy: retryStrategy,
        // A command for a primary that is down is retried every 100 ms, ten times at most (MOVED redirections
        // included), then fails: about a second, after which its job is polled locally until a replica is promoted
        // (by default ioredis would keep it waiting 16 × 100 ms, and followers would hear nothing meanwhile).
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        maxRedirections: 10,
        slotsRefreshInterval: 2000,
        redisOptions: { ...commandOptions, ...auth },
      });
      this.subscriber = this.command;
    } else {
      const where: RedisOptions =
        target.mode === 'sentinel'
          ? {
              sentinels: target.sentinels,
              name: target.name,
              role: 'master',
              ...credentials(target),
              sentinelRetryStrategy: retryStrategy,
              // No `failoverDetector`: in ioredis 5.11 the detector of the last connection outlives it, and a
              // +switch-master arriving while the client is between sentinel retries ends the client for good
              // ("Connection is closed.", status `end`). A demoted primary closes its clients anyway, so the
              // reconnect below finds the new one.
            }
          : {};
      const connect = (options: RedisOptions) => {
        if (target.mode === 'single') return new Redis(target.url, { ...options, retryStrategy });
        const connection = new Redis({ ...where, ...options, retryStrategy });
        this.adaptSentinelAuth(connection, target);
        return connection;
      };
      this.command = connect({ ...commandOptions, enableOfflineQueue: false, enableAutoPipelining: true });
      // The subscriber queues its SUBSCRIBEs until connected and re-subscribes after every reconnect.
      this.subscriber = connect({ connectTimeout: 2000, lazyConnect: true, maxRetriesPerRequest: null, connectionName: `${CONNECTION_NAME}:events` });
    }
    for (const connection of new Set([this.command, this.subscriber])) {
      // ioredis reports every failed reconnect as an 'error' event; without a listener each would be thrown.
      connection.on('error', (err: Error & { lastNodeError?: Error }) => {
        // A Cluster that cannot read its slot map says so, and keeps the node's own answer apart (ioredis's
        // ClusterAllFailedError, not exported).
        this.lastFailure = err.lastNodeError ? `${err.message} ${err.lastNodeError.message}` : err.message;
        this.logger.debug({ err: err.message }, 'redis connection error');
      });
      connection.on('ready', () => this.update());
      connection.on('close', () => this.update());
      connection.on('end', () => {
        this.update();
        this.revive(connection);
      });
    }
    this.subscriber.on(this.mode === 'cluster' ? 'smessage' : 'message', (channel: string, message: string) => this.emit('message', channel, message));
  }

  /** Starts connecting; resolves at once (a replica serves, polling locally, while Redis is unreachable). */
  connect(): void {
    for (const connection of new Set([this.command, this.subscriber])) connection.connect().catch(() => this.update());
  }

  /**
   * A connection that ioredis gave up on (status `end`: a connect attempt it could not retry) is started again, so
   * "reconnects forever" holds whatever path ended it; only `close()` ends a connection for good.
   */
  private revive(connection: Redis | Cluster): void {
    if (this.closing) return;
    this.logger.warn({ reason: this.failure }, 'redis client gave up reconnecting; starting it again');
    setTimeout(() => {
      if (!this.closing && connection.status === 'end') connection.connect().catch(() => this.update());
    }, retryStrategy(4)).unref();
  }

  get up(): boolean {
    return this.command.status === 'ready' && this.subscriber.status === 'ready';
  }

  /** Why Redis is not usable, as far as the client knows (a refused connection, a server in the wrong mode). */
  get failure(): string {
    return this.lastFailure ?? 'Redis unreachable';
  }

  /** Follows a channel; Cluster mode subscribes on the primary of the channel's slot (SSUBSCRIBE). */
  async subscribe(channel: string): Promise<void> {
    if (this.subscriber instanceof Cluster) await this.subscriber.ssubscribe(channel);
    else await this.subscriber.subscribe(channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    if (this.subscriber instanceof Cluster) await this.subscriber.sunsubscribe(channel);
    else await this.subscriber.unsubscribe(channel);
  }

  /** Publishes to the followers of a channel; in Cluster mode only the channel's shard carries it (SPUBLISH). */
  async publish(channel: string, message: string): Promise<void> {
    if (this.command instanceof Cluster) await this.command.spublish(channel, message);
    else await this.command.publish(channel, message);
  }

  /**
   * Sentinels may have no password (Redis's default) or the data nodes' one (as Bitnami's chart sets up): ask
   * without first, and when a sentinel refuses (NOAUTH, WRONGPASS), try REDIS_USERNAME/REDIS_PASSWORD, then the
   * password alone (a sentinel's `requirepass` is its default user's). ioredis's sentinel connector reads these
   * options on each attempt, from the connection's own options object.
   */
  private adaptSentinelAuth(connection: Redis, target: { username: string | null; password: string | null }): void {
    if (!target.password) return;
    const tries: Array<Pick<RedisOptions, 'sentinelUsername' | 'sentinelPassword'>> = [
      { sentinelUsername: undefined, sentinelPassword: undefined },
      ...(target.username ? [{ sentinelUsername: target.username, sentinelPassword: target.password }] : []),
      { sentinelUsername: undefined, sentinelPassword: target.password },
    ];
    let at = 0;
    connection.on('error', (err: Error) => {
      if (!err.message.startsWith('All sentinels are unreachable') || !/NOAUTH|WRONGPASS/.test(err.message)) return;
      at = (at + 1) % tries.length;
      Object.assign(connection.options, tries[at]);
      this.logger.debug({ attempt: at }, 'sentinels refused the credentials tried; trying the next (none, user and password, password)');
    });
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
      [...new Set([this.command, this.subscriber])].map(async (connection) => {
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

/** ACL credentials for Sentinel- and Cluster-managed nodes (a REDIS_URL carries its own); the sentinels get none. */
function credentials(target: { username: string | null; password: string | null }): RedisOptions {
  return { ...(target.username ? { username: target.username } : {}), ...(target.password ? { password: target.password } : {}) };
}
