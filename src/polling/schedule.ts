/**
 * When jobs are polled. A group's jobs sit on `Slot` timers: a Cloud Phone slot holds up to 20 jobs, whose
 * request ids share one `ListJobs` call per tick; every other job has a slot of its own, so a group's jobs are
 * polled at different moments of the interval: upstream sees an even rate instead of bursts, and the
 * subscribers of jobs that change together are not all served in the same instant.
 */

export interface PollTimingOptions {
  /** Base poll interval. */
  intervalMs: number;
  /** Cap of the error backoff. @default max(60 s, 10 × interval) */
  maxBackoffMs?: number;
  /** Up to this share of a new slot's first delay and of backoff delays is taken off at random. @default 0.2 */
  jitter?: number;
}

/** The delays between polls: a steady rhythm, a random first phase, and backoff after failures. */
export class PollTiming {
  private readonly intervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly jitter: number;

  constructor(options: PollTimingOptions) {
    this.intervalMs = options.intervalMs;
    this.maxBackoffMs = options.maxBackoffMs ?? Math.max(60_000, options.intervalMs * 10);
    this.jitter = options.jitter ?? 0.2;
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
}

/** How one batch of polls went: how many failed, and the longest Retry-After upstream asked for. */
export interface PollOutcome {
  failed: number;
  retryAfterMs: number | null;
}

export interface ScheduleOptions<J> {
  /** Jobs per slot: Cloud Phone batches request ids, other services have no batch call. */
  capacity: number;
  timing: PollTiming;
  /** Fetches the given jobs in one batch and hands out what came back. */
  poll(jobs: J[]): Promise<PollOutcome>;
  /** True once the registry is closed: no tick is scheduled any more. */
  closed(): boolean;
  /** Observability hook, once per slot tick. */
  onTick?: (info: { jobs: number; failed: number; delayMs: number }) => void;
}

/** One timer and the jobs polled together on it. */
class Slot<J> {
  readonly jobs = new Set<J>();
  private timer: NodeJS.Timeout | null = null;
  private errors = 0;
  private ticking = false;

  constructor(private readonly options: ScheduleOptions<J>) {}

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
    if (this.ticking || this.jobs.size === 0) return;
    this.ticking = true;
    const { timing } = this.options;
    const startedAt = Date.now();
    const jobs = [...this.jobs];
    let outcome: PollOutcome;
    try {
      outcome = await this.options.poll(jobs);
    } finally {
      this.ticking = false;
    }
    // Back off while upstream fails; one good tick resets it to the steady rhythm.
    this.errors = outcome.failed > 0 ? this.errors + 1 : 0;
    const delayMs = this.errors === 0 ? timing.steadyDelay(startedAt) : timing.backoffDelay(this.errors, outcome.retryAfterMs);
    this.options.onTick?.({ jobs: jobs.length, failed: outcome.failed, delayMs });
    if (this.jobs.size > 0 && !this.options.closed()) this.schedule(delayMs);
  }
}

/** The slots of one group of jobs (same service, region, project and credential). */
export class Schedule<J> {
  private readonly slots = new Set<Slot<J>>();
  private readonly slotOf = new Map<J, Slot<J>>();

  constructor(private readonly options: ScheduleOptions<J>) {}

  /** Whether the job is on a timer here. */
  has(job: J): boolean {
    return this.slotOf.has(job);
  }

  /** Puts a job on a timer: a batch slot with room, or a new slot first ticking after `delayMs`. */
  place(job: J, delayMs: number): void {
    if (this.slotOf.has(job)) return;
    let slot: Slot<J> | undefined;
    if (this.options.capacity > 1) for (const s of this.slots) if (s.jobs.size < this.options.capacity) slot = s;
    if (!slot) {
      slot = new Slot(this.options);
      this.slots.add(slot);
      slot.schedule(delayMs);
    }
    slot.jobs.add(job);
    this.slotOf.set(job, slot);
  }

  /** Takes a job off its timer; a slot left empty stops. */
  unplace(job: J): void {
    const slot = this.slotOf.get(job);
    if (!slot) return;
    this.slotOf.delete(job);
    slot.jobs.delete(job);
    if (slot.jobs.size === 0) {
      slot.stop();
      this.slots.delete(slot);
    }
  }
}
