/**
 * Shared, adaptive upstream polling for subscriptions (contract §7).
 *
 * - One `Poller` per (service, region, project, job, credential fingerprint), however many subscribers.
 * - Pollers are grouped per (service, region, project, credential) and polled on `Slot` timers with fresh loaders
 *   per tick: up to 20 Cloud Phone jobs share a slot, so their request ids share one `ListJobs?request_ids=`
 *   call; every other job has its own slot, at its own phase of the interval, and costs one call per tick.
 * - A subscriber joining late gets the latest state at once; a new poller fetches at once.
 * - Subscribers see a job only when it changed; after a terminal state they complete and the poller stops.
 * - Upstream errors back off exponentially with jitter (per slot, honouring Retry-After) and end nobody's
 *   subscription; only answers that cannot get better (not found, 400, 401, 403) end it with an error.
 */
import { Repeater, SlidingBuffer } from '@repeaterjs/repeater';
import { GraphQLError } from 'graphql';
import type { Credential } from '../auth/credentials.js';
import { ErrorCode, toGraphQLError, UpstreamError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { JobModel } from '../model/job.js';
import { credentialJobKey, type JobRef } from '../model/job-ref.js';
import { CLOUD_PHONE_REQUEST_IDS_PER_CALL } from '../services/clients.js';

/** What a subscriber receives: a job state, or the error that ends its subscription. */
export type JobEvent = { job: JobModel } | { error: GraphQLError };

/** What a subscriber can see of a job (a digest); equal digests mean nothing visible changed. */
export type JobView = (job: JobModel) => string;

/**
 * A job as the cluster coordinator sees it (issue 8): the registry keeps its subscribers; the coordinator says
 * whether this replica polls it or receives its states from the replica that does.
 */
export interface CoordinatedJob {
  /** service|region|project|job|credential fingerprint: the same on every replica, and never a secret. */
  readonly id: string;
  /** Poll it here: at once (0) or first after `delayMs`. */
  lead(delayMs: number): void;
  /** Stop polling it here; its states now come through `deliver`. */
  follow(): void;
  /** A state (or a final error) that another replica fetched. */
  deliver(event: JobEvent): void;
}

/** Decides which replica polls each job, and shares what it fetched; without one, every job is polled here. */
export interface Coordination {
  /** The job got its first subscriber here. */
  attach(job: CoordinatedJob): void;
  /** This replica fetched a state (changed or not) or a final error for the job. */
  fetched(job: CoordinatedJob, event: JobEvent, changed: boolean): void;
  /** The job has no subscriber here any more, or ended. */
  detach(job: CoordinatedJob): void;
}

/** Fetches the current state of several jobs of one group with one credential; the DataLoader contract. */
export type BatchFetch = (keys: readonly JobRef[], credential: Credential) => Promise<Array<JobModel | null | Error>>;

export interface PollerRegistryOptions {
  fetch: BatchFetch;
  logger: Logger;
  /** Base poll interval. @default 3000 */
  intervalMs: number;
  /** Cap of the error backoff. @default max(60 s, 10 × interval) */
  maxBackoffMs?: number;
  /** Jobs polled at once in one process; a new job beyond it is refused. @default 10000 */
  maxPollers?: number;
  /** Up to this share of a new group's first delay and of backoff delays is taken off at random. @default 0.2 */
  jitter?: number;
  /** Shares pollers with other replicas (Redis); absent, every job is polled here. */
  coordination?: Coordination;
  /** Observability hook, once per slot tick. */
  onTick?: (info: { jobs: number; failed: number; delayMs: number }) => void;
}

/** Errors that a later poll cannot fix: the subscription ends with them. */
const FINAL_CODES: ReadonlySet<string> = new Set([ErrorCode.BadUserInput, ErrorCode.Unauthenticated, ErrorCode.Forbidden]);

function isFinal(err: GraphQLError): boolean {
  return FINAL_CODES.has(String(err.extensions['code']));
}

function retryAfterOf(err: unknown): number | null {
  const original = err instanceof GraphQLError ? err.originalError : err;
  return original instanceof UpstreamError ? original.retryAfterMs : null;
}

const notFound = (key: JobRef) =>
  new GraphQLError(`${key.service} job ${key.jobId} does not exist in project ${key.projectId} (${key.region})`, {
    extensions: { code: ErrorCode.BadUserInput },
  });

interface Subscriber {
  push(event: JobEvent): void;
  stop(): void;
}

class Poller implements CoordinatedJob {
  readonly subscribers = new Set<Subscriber>();
  latest: JobModel | null = null;
  private digest: string | null = null;
  /** The timer this job is polled on; null until its first fetch is done, or while another replica polls it. */
  slot: Slot | null = null;
  /** Polled by this replica (or about to be). */
  local = false;

  constructor(
    readonly id: string,
    public key: JobRef,
    readonly group: PollGroup,
  ) {}

  lead(delayMs: number): void {
    if (this.local) return;
    this.local = true;
    if (delayMs <= 0) void this.group.registry.start(this);
    else this.group.place(this, delayMs);
  }

  follow(): void {
    this.local = false;
    this.group.unplace(this);
  }

  deliver(event: JobEvent): void {
    this.group.registry.handle(this, event, false);
  }

  /** Publishes a state to subscribers if it changed; `done` when the job is terminal. */
  accept(job: JobModel): { changed: boolean; done: boolean } {
    // Cloud Phone: learn the request id from ShowJob so later polls share batched ListJobs calls.
    if (job.service === 'CLOUD_PHONE' && this.key.requestId === null && job.requestId) {
      this.key = { ...this.key, requestId: job.requestId };
    }
    const digest = JSON.stringify(job);
    const changed = digest !== this.digest;
    if (changed) {
      this.digest = digest;
      this.latest = job;
      for (const s of this.subscribers) s.push({ job });
    }
    if (job.terminal) this.end();
    return { changed, done: job.terminal };
  }

  fail(error: GraphQLError): void {
    for (const s of this.subscribers) s.push({ error });
    this.end();
  }

  end(): void {
    for (const s of [...this.subscribers]) s.stop();
    this.subscribers.clear();
  }
}

/**
 * Pollers fetched together on one timer. A Cloud Phone slot holds up to 20 jobs, whose request ids share one
 * `ListJobs` call per tick; every other job has a slot of its own, so a group's jobs are polled at different
 * moments of the interval: upstream sees an even rate instead of bursts, and the subscribers of jobs that change
 * together are not all served in the same instant.
 */
class Slot {
  readonly pollers = new Set<Poller>();
  private timer: NodeJS.Timeout | null = null;
  private errors = 0;
  private ticking = false;

  constructor(private readonly group: PollGroup) {}

  schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.ticking || this.pollers.size === 0) return;
    this.ticking = true;
    const registry = this.group.registry;
    const startedAt = Date.now();
    const pollers = [...this.pollers];
    let outcome: { failed: number; retryAfterMs: number | null };
    try {
      outcome = await this.group.poll(pollers);
    } finally {
      this.ticking = false;
    }
    // Back off while upstream fails; one good tick resets it to the steady rhythm.
    this.errors = outcome.failed > 0 ? this.errors + 1 : 0;
    const delayMs = this.errors === 0 ? registry.steadyDelay(startedAt) : registry.backoffDelay(this.errors, outcome.retryAfterMs);
    registry.onTick?.({ jobs: pollers.length, failed: outcome.failed, delayMs });
    if (this.pollers.size > 0 && !registry.closed) this.schedule(delayMs);
  }
}

class PollGroup {
  readonly pollers = new Map<string, Poller>();
  private readonly slots = new Set<Slot>();
  /** Jobs per slot: Cloud Phone batches request ids, other services have no batch call. */
  private readonly slotCapacity: number;

  constructor(
    readonly id: string,
    readonly credential: Credential,
    readonly registry: PollerRegistry,
    service: JobRef['service'],
  ) {
    this.slotCapacity = service === 'CLOUD_PHONE' ? CLOUD_PHONE_REQUEST_IDS_PER_CALL : 1;
  }

  /** Puts a fetched poller on a timer: a batch slot with room, or a new slot first ticking after `delayMs`. */
  place(poller: Poller, delayMs: number): void {
    if (poller.slot || !this.pollers.has(poller.id)) return;
    let slot: Slot | undefined;
    if (this.slotCapacity > 1) for (const s of this.slots) if (s.pollers.size < this.slotCapacity) slot = s;
    if (!slot) {
      slot = new Slot(this);
      this.slots.add(slot);
      slot.schedule(delayMs);
    }
    slot.pollers.add(poller);
    poller.slot = slot;
  }

  unplace(poller: Poller): void {
    const slot = poller.slot;
    if (!slot) return;
    poller.slot = null;
    slot.pollers.delete(poller);
    if (slot.pollers.size === 0) {
      slot.stop();
      this.slots.delete(slot);
    }
  }

  /** Fetches the given pollers in one batch (a slot on its tick; a single new one on join). */
  async poll(pollers: Poller[]): Promise<{ failed: number; retryAfterMs: number | null }> {
    let failed = 0;
    let retryAfterMs: number | null = null;
    let results: Array<JobModel | null | Error>;
    try {
      results = await this.registry.fetch(pollers.map((p) => p.key), this.credential);
    } catch (err) {
      results = pollers.map(() => toGraphQLError(err));
    }
    pollers.forEach((poller, i) => {
      if (!this.pollers.has(poller.id)) return; // everyone left while we were fetching
      const result = results[i];
      if (result instanceof Error) {
        const error = toGraphQLError(result);
        if (isFinal(error)) {
          this.registry.handle(poller, { error }, true);
          return;
        }
        failed++;
        const ra = retryAfterOf(result);
        if (ra !== null) retryAfterMs = Math.max(retryAfterMs ?? 0, ra);
        this.registry.logger.debug({ job: poller.key.jobId, code: error.extensions['code'] }, 'poll failed; backing off');
      } else if (result === null || result === undefined) {
        this.registry.handle(poller, { error: notFound(poller.key) }, true);
      } else {
        this.registry.handle(poller, { job: result }, true);
      }
    });
    return { failed, retryAfterMs };
  }
}

export class PollerRegistry {
  private readonly pollers = new Map<string, Poller>();
  private readonly groups = new Map<string, PollGroup>();
  readonly fetch: BatchFetch;
  readonly logger: Logger;
  readonly onTick: PollerRegistryOptions['onTick'];
  private readonly coordination: Coordination | undefined;
  private readonly intervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxPollers: number;
  private readonly jitter: number;
  closed = false;

  constructor(options: PollerRegistryOptions) {
    this.fetch = options.fetch;
    this.logger = options.logger;
    this.onTick = options.onTick;
    this.coordination = options.coordination;
    this.intervalMs = options.intervalMs;
    this.maxBackoffMs = options.maxBackoffMs ?? Math.max(60_000, options.intervalMs * 10);
    this.maxPollers = options.maxPollers ?? 10_000;
    this.jitter = options.jitter ?? 0.2;
  }

  /** Jobs being polled now. */
  get size(): number {
    return this.pollers.size;
  }

  /** Subscribers attached now, across all pollers. */
  get subscriberCount(): number {
    let n = 0;
    for (const p of this.pollers.values()) n += p.subscribers.size;
    return n;
  }

  /**
   * Steady rhythm: the next tick one interval after this one *started*, so a change is seen at most one interval
   * (plus its own fetch) after it happened, and a job is polled exactly once per interval.
   */
  steadyDelay(tickStartedAt: number, now = Date.now()): number {
    return Math.max(0, this.intervalMs - (now - tickStartedAt));
  }

  /**
   * A new slot's first tick comes after a random share (up to `jitter`) of the interval is taken off, so jobs
   * subscribed together do not poll in lock-step.
   */
  firstDelay(): number {
    return Math.round(this.intervalMs * (1 - Math.random() * this.jitter));
  }

  /** After failed ticks: doubling per failure up to the cap, jittered, never before Retry-After. */
  backoffDelay(errors: number, retryAfterMs: number | null): number {
    const base = Math.min(this.maxBackoffMs, this.intervalMs * 2 ** errors);
    return Math.round(Math.max(base * (1 - Math.random() * this.jitter), retryAfterMs ?? 0));
  }

  /**
   * Attaches a subscriber to the job's poller (creating it and fetching at once if needed). Throws
   * UPSTREAM_UNAVAILABLE when the process already polls `maxPollers` jobs.
   */
  subscribe(key: JobRef, credential: Credential, view?: JobView): AsyncIterableIterator<JobEvent> {
    if (this.closed) throw new GraphQLError('Server is shutting down', { extensions: { code: ErrorCode.UpstreamUnavailable } });
    const id = credentialJobKey(key, credential.fingerprint);
    let poller = this.pollers.get(id);
    if (!poller && this.pollers.size >= this.maxPollers) {
      throw new GraphQLError(`This server already follows ${this.maxPollers} jobs; try again later`, {
        extensions: { code: ErrorCode.UpstreamUnavailable },
      });
    }
    const isNew = !poller;
    if (!poller) {
      const groupId = `${key.service}|${key.region}|${key.projectId}|${credential.fingerprint}`;
      let group = this.groups.get(groupId);
      if (!group) {
        group = new PollGroup(groupId, credential, this, key.service);
        this.groups.set(groupId, group);
      }
      poller = new Poller(id, key, group);
      this.pollers.set(id, poller);
      group.pollers.set(id, poller);
    }
    const target = poller;
    return new Repeater<JobEvent>(async (push, stop) => {
      // With a view, a job state that looks the same through it as the last one pushed is not pushed again.
      let lastSeen: string | null = null;
      const subscriber: Subscriber = {
        push: (e) => {
          if (view && 'job' in e) {
            const seen = view(e.job);
            if (seen === lastSeen) return;
            lastSeen = seen;
          }
          void push(e);
        },
        stop: () => stop(),
      };
      target.subscribers.add(subscriber);
      if (target.latest) subscriber.push({ job: target.latest });
      if (isNew) {
        if (this.coordination) this.coordination.attach(target);
        else target.lead(0);
      }
      await stop;
      // The subscriber left (or was ended): detach, and stop polling when nobody is left.
      target.subscribers.delete(subscriber);
      if (target.subscribers.size === 0) this.remove(target);
      // A slow consumer only needs the newest states: older ones are dropped, never piled up.
    }, new SlidingBuffer(4));
  }

  /** A job's first poll here: fetch at once, then put it on a timer. */
  async start(poller: Poller): Promise<void> {
    const group = poller.group;
    const { failed, retryAfterMs } = await group.poll([poller]);
    // Gone, or another replica took it over while we were fetching.
    if (!this.pollers.has(poller.id) || this.closed || !poller.local) return;
    group.place(poller, failed > 0 ? this.backoffDelay(1, retryAfterMs) : this.firstDelay());
  }

  /** A state or final error for a job, fetched here or delivered by the replica that polls it. */
  handle(poller: Poller, event: JobEvent, fetchedHere: boolean): void {
    if (this.pollers.get(poller.id) !== poller) return;
    if ('error' in event) {
      if (fetchedHere) this.coordination?.fetched(poller, event, true);
      poller.fail(event.error);
      this.remove(poller);
      return;
    }
    const { changed, done } = poller.accept(event.job);
    if (fetchedHere) this.coordination?.fetched(poller, event, changed);
    if (done) this.remove(poller);
  }

  remove(poller: Poller): void {
    if (this.pollers.get(poller.id) !== poller) return;
    this.pollers.delete(poller.id);
    const group = poller.group;
    group.pollers.delete(poller.id);
    group.unplace(poller);
    poller.local = false;
    poller.end();
    if (group.pollers.size === 0) this.groups.delete(group.id);
    this.coordination?.detach(poller);
  }

  /** Stops every poller and completes every subscription. */
  close(): void {
    this.closed = true;
    for (const poller of [...this.pollers.values()]) this.remove(poller);
  }
}
