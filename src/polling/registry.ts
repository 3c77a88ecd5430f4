/**
 * Shared, adaptive upstream polling for subscriptions (promises in docs/architecture.md#subscriptions).
 *
 * - One poller per job and credential (model/job-ref.ts `credentialJobKey`), however many subscribers.
 * - Pollers are grouped per (service, region, project, credential) and polled on timers (schedule.ts) with fresh
 *   loaders per tick; a new poller fetches at once.
 * - Subscribers are served by fan-out.ts: only changes, the latest state at once, completion after a terminal state.
 * - Upstream errors back off exponentially with jitter (per slot, honoring Retry-After) and end nobody's
 *   subscription; only answers that cannot get better (not found, 400, 401, 403) end it with an error.
 * - With a coordination (coordination.ts), replicas share pollers: this registry polls only the jobs it leads.
 */
import { GraphQLError } from 'graphql';
import type { Credential } from '../auth/credentials.js';
import { ErrorCode, toGraphQLError, UpstreamError } from '../errors.js';
import type { Logger } from '../logger.js';
import { inSpan, MAX_LINKS, type SpanContext } from '../observability/spans.js';
import type { JobModel } from '../model/job.js';
import { credentialJobKey, isRequestId, type JobRef } from '../model/job-ref.js';
import { CLOUD_PHONE_REQUEST_IDS_PER_CALL } from '../services/clients.js';
import type { CoordinatedJob, Coordination, JobEvent } from './coordination.js';
import { FanOut, type JobView } from './fan-out.js';
import { PollTiming, Schedule, type PollOutcome } from './schedule.js';

export type { JobEvent } from './coordination.js';
export type { JobView } from './fan-out.js';

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

/** One polled job: what to fetch, who listens, and whether this replica polls it. */
interface Poller {
  readonly id: string;
  key: JobRef;
  readonly group: PollGroup;
  readonly fanOut: FanOut;
  /** What the coordination is handed; its callbacks come back here. */
  readonly coordinated: CoordinatedJob;
  /** Polled by this replica (or about to be). */
  local: boolean;
  /** The newest subscriptions' spans, for this job's poll spans to link to (bounded). */
  links: SpanContext[];
}

/** Subscriptions a job's poll span links to: the newest ones, enough to find them, never all of them. */
const LINKS_PER_JOB = 16;

/** Jobs of one service, region, project and credential: what can share a fetch. */
interface PollGroup {
  readonly id: string;
  readonly credential: Credential;
  readonly pollers: Map<string, Poller>;
  readonly schedule: Schedule<Poller>;
}

export class PollerRegistry {
  private readonly pollers = new Map<string, Poller>();
  private readonly groups = new Map<string, PollGroup>();
  private readonly fetch: BatchFetch;
  private readonly logger: Logger;
  private readonly onTick: PollerRegistryOptions['onTick'];
  private readonly coordination: Coordination | undefined;
  private readonly timing: PollTiming;
  private readonly maxPollers: number;
  private closed = false;

  constructor(options: PollerRegistryOptions) {
    this.fetch = options.fetch;
    this.logger = options.logger;
    this.onTick = options.onTick;
    this.coordination = options.coordination;
    this.timing = new PollTiming(options);
    this.maxPollers = options.maxPollers ?? 10_000;
  }

  /** Jobs being polled now. */
  get size(): number {
    return this.pollers.size;
  }

  /** Subscribers attached now, across all pollers. */
  get subscriberCount(): number {
    let n = 0;
    for (const p of this.pollers.values()) n += p.fanOut.size;
    return n;
  }

  /**
   * Attaches a subscriber to the job's poller (creating it and fetching at once if needed). Throws
   * UPSTREAM_UNAVAILABLE when the process already polls `maxPollers` jobs.
   */
  subscribe(key: JobRef, credential: Credential, view?: JobView, link?: SpanContext | null): AsyncIterableIterator<JobEvent> {
    if (this.closed) throw new GraphQLError('Server is shutting down', { extensions: { code: ErrorCode.UpstreamUnavailable } });
    const id = credentialJobKey(key, credential.fingerprint);
    let poller = this.pollers.get(id);
    if (!poller && this.pollers.size >= this.maxPollers) {
      throw new GraphQLError(`This server already follows ${this.maxPollers} jobs; try again later`, {
        extensions: { code: ErrorCode.UpstreamUnavailable },
      });
    }
    const isNew = !poller;
    poller ??= this.create(id, key, credential);
    if (link) poller.links = [link, ...poller.links.slice(0, LINKS_PER_JOB - 1)];
    const target = poller;
    return target.fanOut.stream(view, {
      joined: () => {
        if (!isNew) return;
        if (this.coordination) this.coordination.attach(target.coordinated);
        else this.lead(target, 0);
      },
      // The last subscriber left (or was ended): stop polling.
      emptied: () => this.remove(target),
    });
  }

  /** Stops every poller and completes every subscription. */
  close(): void {
    this.closed = true;
    for (const poller of [...this.pollers.values()]) this.remove(poller);
  }

  private create(id: string, key: JobRef, credential: Credential): Poller {
    const groupId = `${key.service}|${key.region}|${key.projectId}|${credential.fingerprint}`;
    let group = this.groups.get(groupId);
    if (!group) {
      const pollers = new Map<string, Poller>();
      group = {
        id: groupId,
        credential,
        pollers,
        schedule: new Schedule<Poller>({
          capacity: key.service === 'CLOUD_PHONE' ? CLOUD_PHONE_REQUEST_IDS_PER_CALL : 1,
          timing: this.timing,
          poll: (batch) => this.poll(batch),
          closed: () => this.closed,
          onTick: this.onTick,
        }),
      };
      this.groups.set(groupId, group);
    }
    const poller: Poller = {
      id,
      key,
      group,
      fanOut: new FanOut(),
      local: false,
      links: [],
      coordinated: {
        id,
        lead: (delayMs, latest) => {
          if (latest) this.handle(poller, latest, false);
          this.lead(poller, delayMs);
        },
        follow: () => {
          poller.local = false;
          poller.group.schedule.unplace(poller);
        },
        deliver: (event) => this.handle(poller, event, false),
      },
    };
    this.pollers.set(id, poller);
    group.pollers.set(id, poller);
    return poller;
  }

  /** Poll the job here: at once (then put it on a timer), or first after `delayMs`. */
  private lead(poller: Poller, delayMs: number): void {
    if (poller.local) return;
    poller.local = true;
    if (delayMs <= 0) void this.start(poller);
    else this.place(poller, delayMs);
  }

  /** Puts a job on its group's timers, unless it left meanwhile. */
  private place(poller: Poller, delayMs: number): void {
    if (poller.group.pollers.has(poller.id)) poller.group.schedule.place(poller, delayMs);
  }

  /** A job's first poll here: fetch at once, then put it on a timer. */
  private async start(poller: Poller): Promise<void> {
    const { failed, retryAfterMs } = await this.poll([poller]);
    // Gone, or another replica took it over while we were fetching.
    if (!this.pollers.has(poller.id) || this.closed || !poller.local) return;
    this.place(poller, failed > 0 ? this.timing.backoffDelay(1, retryAfterMs) : this.timing.firstDelay());
  }

  /**
   * Fetches pollers of one group in one batch (a slot on its tick; a single new one on join), in a span of its
   * own: a new trace per tick (`root`), linked to the subscriptions it serves, so no subscription becomes one
   * endless trace and the timer's inherited context is not its parent.
   */
  private poll(pollers: Poller[]): Promise<PollOutcome> {
    const key = pollers[0]!.key;
    const links = pollers.flatMap((p) => p.links).slice(0, MAX_LINKS).map((context) => ({ context }));
    const attributes = { 'cloudjobs.service': key.service, 'cloud.region': key.region, 'cloudjobs.jobs': pollers.length };
    return inSpan('poll', { root: true, attributes, links }, async (span) => {
      const outcome = await this.pollNow(pollers);
      span.setAttribute('cloudjobs.failed', outcome.failed);
      return outcome;
    });
  }

  private async pollNow(pollers: Poller[]): Promise<PollOutcome> {
    let failed = 0;
    let retryAfterMs: number | null = null;
    const group = pollers[0]!.group;
    let results: Array<JobModel | null | Error>;
    try {
      results = await this.fetch(pollers.map((p) => p.key), group.credential);
    } catch (err) {
      results = pollers.map(() => toGraphQLError(err));
    }
    pollers.forEach((poller, i) => {
      if (!group.pollers.has(poller.id)) return; // everyone left while we were fetching
      const result = results[i];
      if (result instanceof Error) {
        const error = toGraphQLError(result);
        if (isFinal(error)) {
          this.handle(poller, { error }, true);
          return;
        }
        failed++;
        const ra = retryAfterOf(result);
        if (ra !== null) retryAfterMs = Math.max(retryAfterMs ?? 0, ra);
        this.logger.debug({ job: poller.key.jobId, code: error.extensions['code'] }, 'poll failed; backing off');
      } else if (result === null || result === undefined) {
        this.handle(poller, { error: notFound(poller.key) }, true);
      } else {
        this.handle(poller, { job: result }, true);
      }
    });
    return { failed, retryAfterMs };
  }

  /** A state or final error for a job, fetched here or delivered by the replica that polls it. */
  private handle(poller: Poller, event: JobEvent, fetchedHere: boolean): void {
    if (this.pollers.get(poller.id) !== poller) return;
    if ('error' in event) {
      if (fetchedHere) this.coordination?.fetched(poller.coordinated, event, true);
      poller.fanOut.fail(event.error);
      this.remove(poller);
      return;
    }
    const job = event.job;
    // Cloud Phone: learn the request id from ShowJob so later polls share batched ListJobs calls; one upstream
    // sent malformed would make those calls fail, so it is not learnt.
    if (job.service === 'CLOUD_PHONE' && poller.key.requestId === null && job.requestId && isRequestId(job.requestId)) {
      poller.key = { ...poller.key, requestId: job.requestId };
    }
    const { changed, done } = poller.fanOut.accept(job);
    if (fetchedHere) this.coordination?.fetched(poller.coordinated, event, changed);
    if (done) this.remove(poller);
  }

  private remove(poller: Poller): void {
    if (this.pollers.get(poller.id) !== poller) return;
    this.pollers.delete(poller.id);
    const group = poller.group;
    group.pollers.delete(poller.id);
    group.schedule.unplace(poller);
    poller.local = false;
    poller.fanOut.end();
    if (group.pollers.size === 0) this.groups.delete(group.id);
    this.coordination?.detach(poller.coordinated);
  }
}
