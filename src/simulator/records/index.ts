/**
 * The simulator's internal job model: one record type per service, the patch shape used by timelines and
 * `store.update`, and each service's normalizer (fills defaults) and stamper (end times on terminal states).
 */
import type { Raw } from './coerce.js';
import type { RecordIdentity } from './identity.js';
import { normalizeAppStreamingJob, stampAppStreamingJob, type AppStreamingJob } from './app-streaming.js';
import { normalizeCloudPhoneJob, stampCloudPhoneJob, type CloudPhoneJob } from './cloud-phone.js';
import { normalizeGaussDbJob, stampGaussDbJob, type GaussDbJob } from './gaussdb.js';
import { normalizeWorkspaceJob, stampWorkspaceJob, type WorkspaceJob } from './workspace.js';

export const SERVICE_NAMES = ['workspace', 'appStreaming', 'gaussdb', 'cloudPhone'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(value: unknown): value is ServiceName {
  return typeof value === 'string' && (SERVICE_NAMES as readonly string[]).includes(value);
}

export interface JobRecordMap {
  workspace: WorkspaceJob;
  appStreaming: AppStreamingJob;
  gaussdb: GaussDbJob;
  cloudPhone: CloudPhoneJob;
}
export type JobRecord = JobRecordMap[ServiceName];

/** Arrays replace wholesale, but their items may be partial too: normalizers fill the defaults. */
type DeepPartial<T> = T extends ReadonlyArray<infer U>
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Sub-jobs in a patch are merged by `id`; an id not yet present adds a sub-job. */
type SubJobPatch<U> = { id: string } & DeepPartial<Omit<U, 'id'>>;

/**
 * A partial record: objects merge field by field, `subJobs` merge by id, anything else replaces.
 * Times are epoch ms on the simulator clock (ISO text is accepted too, e.g. from the admin API).
 */
export type JobPatch<S extends ServiceName> = {
  [K in Exclude<keyof JobRecordMap[S], keyof RecordIdentity>]?: K extends 'subJobs'
    ? JobRecordMap[S][K] extends ReadonlyArray<infer U>
      ? SubJobPatch<U>[]
      : never
    : DeepPartial<JobRecordMap[S][K]>;
};

/** One lifecycle step: `patch` applies once the clock reaches `createdAt + afterMs`. */
export type TimelineStep<S extends ServiceName> = { afterMs: number } & JobPatch<S>;

export type JobInput<S extends ServiceName> = JobPatch<S> & {
  id: string;
  /** Default: the demo project. */
  projectId?: string;
  /** Default: the simulator clock now. */
  createdAt?: number;
  timeline?: TimelineStep<S>[];
};

export type JobUpdate<S extends ServiceName> = JobPatch<S> & {
  /** Replaces the remaining lifecycle; without it, an update freezes the job in its new state. */
  timeline?: TimelineStep<S>[];
};

export interface ServiceModel<R> {
  normalize(raw: Raw, identity: RecordIdentity): R;
  stamp(record: R, at: number): void;
}

export const SERVICE_MODELS: { [S in ServiceName]: ServiceModel<JobRecordMap[S]> } = {
  workspace: { normalize: normalizeWorkspaceJob, stamp: stampWorkspaceJob },
  appStreaming: { normalize: normalizeAppStreamingJob, stamp: stampAppStreamingJob },
  gaussdb: { normalize: normalizeGaussDbJob, stamp: stampGaussDbJob },
  cloudPhone: { normalize: normalizeCloudPhoneJob, stamp: stampCloudPhoneJob },
};

export type { RecordIdentity } from './identity.js';
export type { Instant } from './coerce.js';
export type * from './workspace.js';
export type * from './app-streaming.js';
export type * from './gaussdb.js';
export type * from './cloud-phone.js';
