/**
 * One poller per job across all replicas, coordinated through Redis (README.md#running-several-replicas).
 *
 * For each job key (service, region, project, job, credential fingerprint) that has subscribers here:
 * - The replica holding the key's lease (`<prefix>:{<key>}:lease`, renewed every third of a lease) polls upstream
 *   with its own copy of the credential, stores the latest state (`<prefix>:{<key>}:state`) and publishes each
 *   change on the job's channel `<prefix>:{<key>}:events`. Only replicas with a subscriber of that key ever claim
 *   it, so a replica leads only for credentials it holds; secrets never reach Redis (keys carry the credential's
 *   fingerprint, states carry jobs).
 * - The braces are a hash tag: all of a job's keys and its channel live in one Cluster slot, so the claim (one
 *   script over lease and state) is legal in a Cluster, and the channel is sharded (SSUBSCRIBE) to the same node.
 * - Every other replica with subscribers follows: it subscribes to the job's channel, takes the stored state at
 *   once and each published change after it, and re-reads the stored state on each lease round, so a lost message
 *   (a failover, a subscription not yet confirmed) cannot hide a terminal state.
 * - A leader whose last subscriber leaves releases the lease and announces it, and a follower takes over at once,
 *   keeping the poll rhythm (the next poll comes one interval after the previous one). A leader that dies stops
 *   renewing; its lease expires after one interval and a follower claims it on its next round, then polls at once:
 *   take-over within 1⅓ intervals.
 * - A job whose claim fails (Redis unreachable, or in a Cluster the primary of its slot down and not yet replaced)
 *   is polled here alone (degraded mode: a warning, and the `cluster_degraded` gauge at 1) until a claim succeeds
 *   again; the next round then sorts leaders and followers again. Subscriptions never notice either change.
 */
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Result } from 'ioredis';
import type { Logger } from '../logger.js';
import type { JobModel } from '../model/job.js';
import { reviveJobDates } from '../model/serialize.js';
import type { Metrics } from '../observability/metrics.js';
import type { Coordination, CoordinatedJob, JobEvent } from '../polling/coordination.js';
import { jobChannel, jobOfChannel, jobRedisKey } from './keys.js';
import type { RedisLink } from './redis.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    claimLease(leaseKey: string, stateKey: string, holder: string, ttlMs: number): Result<[number, string | null], Context>;
    releaseLease(leaseKey: string, holder: string): Result<number, Context>;
  }
}

/** Take the lease if it is free, or renew it if it is ours; answers [1 when we hold it afterwards, stored state]. */
const CLAIM_LEASE = `
local holder = redis.call('GET', KEYS[1])
local held = 0
if holder == ARGV[1] or not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  held = 1
end
return {held, redis.call('GET', KEYS[2])}`;

/** Drop the lease only if it is still ours. */
const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const HANDOVER = 'handover';
const STARTUP_GRACE_MS = 2000;

/** What the leader stores and publishes: when it polled, and what it saw. */
interface StoredState {
  polledAt: number;
  job?: JobModel;
  error?: { message: string; extensions: Record<string, unknown> };
}

export interface ClusterCoordinatorOptions {
  link: RedisLink;
  /** Prefix of every key and channel, so several deployments can share one Redis. */
  prefix: string;
  intervalMs: number;
  logger: Logger;
  metrics?: Metrics;
}

type Role = 'leader' | 'follower' | 'local';

interface Entry {
  job: CoordinatedJob;
  role: Role | null;
  /** A claim is on its way: a round does not send another (a slow primary must not pile them up). */
  claiming: boolean;
  /** The job's channel is subscribed (or the subscription is on its way). */
  subscribed: boolean;
}

export class ClusterCoordinator implements Coordination {
  /** Identifies this replica as a lease holder; never derived from anything secret. */
  readonly replicaId = `${process.pid}:${randomUUID()}`;
  private readonly entries = new Map<string, Entry>();
  /** Jobs whose last claim failed: polled here alone until one succeeds. */
  private readonly unreachable = new Set<Entry>();
  private readonly link: RedisLink;
  private readonly prefix: string;
  private readonly intervalMs: number;
  private readonly leaseMs: number;
  private readonly stateTtlMs: number;
  private readonly logger: Logger;
  private readonly metrics: Metrics | undefined;
  private timer: NodeJS.Timeout | null = null;
  /** null until the first round tells whether Redis answers; jobs poll locally meanwhile. */
  private degraded: boolean | null = null;
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;
  private startedAt = 0;

  constructor({ link, prefix, intervalMs, logger, metrics }: ClusterCoordinatorOptions) {
    this.link = link;
    this.prefix = prefix;
    this.intervalMs = intervalMs;
    // A lease lives one interval: a dead leader is replaced before a second poll would have been due.
    this.leaseMs = Math.max(intervalMs, 100);
    // States outlive a pause in polling (a hand-over, a failed tick) and stay for late followers of a finished job.
    this.stateTtlMs = Math.max(10 * intervalMs, 60_000);
    this.logger = logger;
    this.metrics = metrics;
    link.command.defineCommand('claimLease', { numberOfKeys: 2, lua: CLAIM_LEASE });
    link.command.defineCommand('releaseLease', { numberOfKeys: 1, lua: RELEASE_LEASE });
    metrics?.clusterDegraded.set(1);
  }

  /** Connects and starts the lease rounds; the replica polls locally until Redis answers. */
  start(): void {
    this.link.on('message', (channel, message) => this.onMessage(channel, message));
    this.link.on('down', () => this.enterDegraded(`connection lost: ${this.link.failure}`, [...this.entries.values()]));
    this.link.on('up', () => this.round());
    this.startedAt = Date.now();
    this.link.connect();
    this.schedule();
  }

  /** Jobs by role here, for metrics. */
  roles(): Record<Role, number> {
    const counts: Record<Role, number> = { leader: 0, follower: 0, local: 0 };
    for (const e of this.entries.values()) if (e.role) counts[e.role]++;
    return counts;
  }

  attach(job: CoordinatedJob): void {
    const entry: Entry = { job, role: null, claiming: false, subscribed: false };
    this.entries.set(job.id, entry);
    if (this.degraded === false && this.link.up) {
      this.subscribe(entry);
      this.claim(entry);
    } else this.pollLocally(entry, 0);
  }

  detach(job: CoordinatedJob): void {
    const entry = this.entries.get(job.id);
    if (entry?.job !== job) return;
    this.entries.delete(job.id);
    this.unreachable.delete(entry);
    if (entry.subscribed) this.link.unsubscribe(this.channelOf(job.id)).catch(() => undefined);
    if (entry.role === 'leader') {
      // Hand over: a follower elsewhere claims the free lease at once instead of waiting for it to expire.
      const release = this.link.command
        .releaseLease(this.keyOf(job.id, 'lease'), this.replicaId)
        .then((released) => (released ? this.link.publish(this.channelOf(job.id), HANDOVER) : undefined))
        .catch((err: Error) => this.logger.debug({ err: err.message }, 'lease release failed'))
        .finally(() => this.pending.delete(release));
      this.pending.add(release);
      this.metrics?.clusterLeases.inc({ event: 'released' });
    }
  }

  fetched(job: CoordinatedJob, event: JobEvent, changed: boolean): void {
    const entry = this.entries.get(job.id);
    if (entry?.role !== 'leader') return;
    const state: StoredState =
      'job' in event
        ? { polledAt: Date.now(), job: event.job }
        : { polledAt: Date.now(), error: { message: event.error.message, extensions: { ...event.error.extensions } } };
    const text = JSON.stringify(state);
    // Stored on every poll (followers and a successor learn when it was polled), published only when it changed.
    this.link.command.set(this.keyOf(job.id, 'state'), text, 'PX', this.stateTtlMs).catch(() => undefined);
    if (changed) this.link.publish(this.channelOf(job.id), text).catch(() => undefined);
  }

  /** Stops the rounds; waits for lease releases already sent (call after the registry let go of its jobs). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all([...this.pending]);
  }

  private keyOf(id: string, kind: 'lease' | 'state'): string {
    return jobRedisKey(this.prefix, id, kind);
  }

  private channelOf(id: string): string {
    return jobChannel(this.prefix, id);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.round();
      this.schedule();
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
  }

  /** One lease round: claim or renew every job here, and take the stored state of those led elsewhere. */
  private round(): void {
    if (this.closed) return;
    if (!this.link.up) {
      // Connecting at start-up is not an outage (jobs poll locally meanwhile); failing to connect for 2 s is.
      if (this.degraded === null && Date.now() - this.startedAt < STARTUP_GRACE_MS) return;
      this.enterDegraded(this.link.failure, [...this.entries.values()]);
      return;
    }
    if (this.entries.size === 0) this.settle();
    for (const entry of this.entries.values()) {
      if (!entry.subscribed) this.subscribe(entry);
      this.claim(entry);
    }
  }

  private subscribe(entry: Entry): void {
    entry.subscribed = true;
    const channel = this.channelOf(entry.job.id);
    this.link.subscribe(channel).then(
      // Left while subscribing, and not back: nobody here listens any more.
      () => (this.entries.has(entry.job.id) ? undefined : this.link.unsubscribe(channel).catch(() => undefined)),
      () => {
        entry.subscribed = false; // the next round tries again
      },
    );
  }

  private claim(entry: Entry): void {
    if (entry.claiming) return;
    entry.claiming = true;
    const id = entry.job.id;
    this.link.command
      .claimLease(this.keyOf(id, 'lease'), this.keyOf(id, 'state'), this.replicaId, this.leaseMs)
      .then(
        ([held, stored]) => {
          if (this.entries.get(id) !== entry) return; // left while we asked
          this.unreachable.delete(entry);
          if (held === 1) this.lead(entry, parseState(stored));
          else this.follow(entry, parseState(stored));
          this.settle();
        },
        (err: Error) => {
          if (this.entries.get(id) !== entry) return;
          this.enterDegraded(err.message, [entry]);
        },
      )
      .finally(() => {
        entry.claiming = false;
      });
  }

  private lead(entry: Entry, stored: StoredState | null): void {
    if (entry.role === 'leader') return;
    const wasPolling = entry.role === 'local';
    entry.role = 'leader';
    this.metrics?.clusterLeases.inc({ event: 'acquired' });
    if (wasPolling) return;
    // A running job's last state is shown at once, and the previous leader's rhythm kept: the next poll one interval
    // after its last one (at once after a crash). An ending (terminal job, final error) is never taken from the
    // store: it is fetched again, so the terminal-job cache's bound on age, and access granted since, are honored.
    const running = stored?.job && !stored.job.terminal ? stored : null;
    if (running) entry.job.lead(Math.max(0, running.polledAt + this.intervalMs - Date.now()), eventOf(running));
    else entry.job.lead(0);
  }

  private follow(entry: Entry, stored: StoredState | null): void {
    if (entry.role !== 'follower') {
      entry.role = 'follower';
      entry.job.follow();
    }
    // A final error counts only while fresh: a stale one is the ending of an earlier leader, not of this one.
    if (stored && (stored.job || Date.now() - stored.polledAt <= 2 * this.intervalMs)) entry.job.deliver(eventOf(stored));
  }

  private pollLocally(entry: Entry, delayMs: number): void {
    if (entry.role === 'local' || entry.role === 'leader') {
      entry.role = 'local';
      return; // already polling here
    }
    entry.role = 'local';
    entry.job.lead(delayMs);
  }

  private onMessage(channel: string, message: string): void {
    const id = jobOfChannel(this.prefix, channel);
    const entry = id === null ? undefined : this.entries.get(id);
    if (!entry || entry.role === 'leader') return;
    if (message === HANDOVER) {
      this.claim(entry);
      return;
    }
    const stored = parseState(message);
    if (stored) entry.job.deliver(eventOf(stored));
  }

  /** Some jobs cannot be coordinated now: they are polled here until a claim succeeds again. */
  private enterDegraded(reason: string, entries: Entry[]): void {
    if (this.closed) return;
    if (this.degraded !== true) {
      this.degraded = true;
      this.logger.warn({ reason, jobs: entries.length }, 'Redis unreachable: polling locally until it is back (degraded mode)');
      this.metrics?.clusterDegraded.set(1);
      this.metrics?.clusterDegradedEntered.inc();
    }
    for (const entry of entries) {
      this.unreachable.add(entry);
      // Followers start polling themselves, spread over an interval (their last state is at most that old).
      this.pollLocally(entry, Math.floor(Math.random() * this.intervalMs));
    }
  }

  /** Leaves degraded mode once Redis answers for every job here. */
  private settle(): void {
    if (this.degraded === false || !this.link.up || this.unreachable.size > 0) return;
    this.degraded = false;
    this.metrics?.clusterDegraded.set(0);
    this.logger.info({ jobs: this.entries.size }, 'Redis reachable: sharing pollers with the other replicas');
  }
}

function parseState(value: unknown): StoredState | null {
  if (typeof value !== 'string') return null;
  try {
    // Cast: written by `fetched` on some replica; the fields that matter are checked before use.
    const state = JSON.parse(value, reviveJobDates) as StoredState;
    return typeof state.polledAt === 'number' && (state.job || state.error) ? state : null;
  } catch {
    return null;
  }
}

function eventOf(state: StoredState): JobEvent {
  if (state.error) return { error: new GraphQLError(state.error.message, { extensions: state.error.extensions }) };
  return { job: state.job! };
}
