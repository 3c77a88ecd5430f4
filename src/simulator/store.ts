/**
 * Job records per service, keyed by (project, job id). Reads resolve the record against the simulator clock
 * (base + due timeline steps), so every route renders the same current state and lifecycles need no timers.
 */
import type { Raw } from './records/coerce.js';
import {
  SERVICE_MODELS,
  type JobInput,
  type JobRecordMap,
  type JobUpdate,
  type RecordIdentity,
  type ServiceModel,
  type ServiceName,
} from './records/index.js';
import { applyPatch, PatchError, toSteps, type StoredStep } from './timeline.js';

/**
 * The store keeps every service's records as plain `Raw` objects, so patches and timeline steps apply alike; the
 * casts between `Raw` and a service's record type below are that seam (each record comes from its `normalize`).
 */
interface Entry {
  identity: RecordIdentity;
  /** Normalized record as of `createdAt` (or of the last `update`). */
  base: Raw;
  steps: StoredStep[];
}

export class UnknownJobError extends Error {
  override readonly name = 'UnknownJobError';
}

function keyOf(projectId: string, jobId: string): string {
  return `${projectId}\u0000${jobId}`;
}

function modelOf<S extends ServiceName>(service: S): ServiceModel<JobRecordMap[S]> {
  return SERVICE_MODELS[service] as ServiceModel<JobRecordMap[S]>;
}

/** Applies every step once now, so a patch the record refuses fails here (as a PatchError), not on a later read. */
function checkSteps(service: ServiceName, entry: Entry): void {
  const model = modelOf(service);
  let current = entry.base;
  for (const step of entry.steps) current = model.normalize(applyPatch(current, step.patch), entry.identity) as unknown as Raw;
}

export class JobStore {
  readonly #entries: Record<ServiceName, Map<string, Entry>> = {
    workspace: new Map(),
    appStreaming: new Map(),
    gaussdb: new Map(),
    cloudPhone: new Map(),
  };

  constructor(
    private readonly clock: () => number,
    private readonly defaultProjectId: string,
  ) {}

  /** Adds (or replaces) a job. Omitted fields get plausible defaults; returns the current view. */
  add<S extends ServiceName>(service: S, input: JobInput<S>): JobRecordMap[S] {
    if (typeof input.id !== 'string' || input.id === '') throw new PatchError('a job needs a non-empty string id');
    const identity: RecordIdentity = {
      projectId: input.projectId ?? this.defaultProjectId,
      id: input.id,
      createdAt: input.createdAt ?? this.clock(),
    };
    const model = modelOf(service);
    const base = model.normalize(applyPatch({}, input as Raw), identity);
    model.stamp(base, identity.createdAt);
    const entry: Entry = { identity, base: base as unknown as Raw, steps: toSteps(input.timeline) };
    checkSteps(service, entry);
    this.#entries[service].set(keyOf(identity.projectId, identity.id), entry);
    return this.#resolve(service, entry);
  }

  /**
   * Changes a job now: the patch applies on top of its current state, and the rest of its timeline is dropped
   * (so the change sticks) unless the patch brings a new `timeline` (still relative to `createdAt`).
   */
  update<S extends ServiceName>(service: S, projectId: string, jobId: string, patch: JobUpdate<S>): JobRecordMap[S] {
    const entry = this.#entries[service].get(keyOf(projectId, jobId));
    if (!entry) throw new UnknownJobError(`no ${service} job ${jobId} in project ${projectId}`);
    const steps = patch.timeline === undefined ? [] : toSteps(patch.timeline);
    const model = modelOf(service);
    const current = this.#resolve(service, entry) as unknown as Raw;
    const next = model.normalize(applyPatch(current, patch as Raw), entry.identity);
    model.stamp(next, this.clock());
    checkSteps(service, { ...entry, base: next as unknown as Raw, steps });
    entry.base = next as unknown as Raw;
    entry.steps = steps;
    return this.#resolve(service, entry);
  }

  get<S extends ServiceName>(service: S, projectId: string, jobId: string): JobRecordMap[S] | undefined {
    const entry = this.#entries[service].get(keyOf(projectId, jobId));
    return entry ? this.#resolve(service, entry) : undefined;
  }

  /** Current views in insertion order, optionally of one project. */
  list<S extends ServiceName>(service: S, projectId?: string): JobRecordMap[S][] {
    const out: JobRecordMap[S][] = [];
    for (const entry of this.#entries[service].values()) {
      if (projectId === undefined || entry.identity.projectId === projectId) out.push(this.#resolve(service, entry));
    }
    return out;
  }

  remove(service: ServiceName, projectId: string, jobId: string): boolean {
    return this.#entries[service].delete(keyOf(projectId, jobId));
  }

  clear(service?: ServiceName): void {
    for (const [name, map] of Object.entries(this.#entries)) if (service === undefined || name === service) map.clear();
  }

  #resolve<S extends ServiceName>(service: S, entry: Entry): JobRecordMap[S] {
    const model = modelOf(service);
    const now = this.clock();
    let current = entry.base;
    for (const step of entry.steps) {
      const at = entry.identity.createdAt + step.afterMs;
      if (at > now) break;
      const next = model.normalize(applyPatch(current, step.patch), entry.identity);
      model.stamp(next, at);
      current = next as unknown as Raw;
    }
    return structuredClone(current) as unknown as JobRecordMap[S];
  }
}
