/** Workspace (desktops) job records: one parent job with its sub-jobs (docs/upstream.md#workspace). */
import {
  jobHead,
  asInstant,
  asNullableNumber,
  asNullableString,
  asRawArray,
  asString,
  isRaw,
  type Instant,
  type Raw,
} from './coerce.js';
import type { RecordIdentity } from './identity.js';

/** Parent statuses seen in the sources (docs/upstream.md#workspace, docs/upstream.md#statuses); any other text is allowed so clients can meet the unknown. */
export type WorkspaceJobStatus = 'WAITING' | 'RUNNING' | 'SUCCESS' | 'COMPLETE' | 'FAIL' | 'FAILED' | (string & {});
export type WorkspaceSubJobStatus = 'WAITING' | 'RUNNING' | 'SUCCESS' | 'FAILED' | (string & {});

export interface WorkspaceDesktop {
  desktopId: string;
  productId: string | null;
  userName: string | null;
  desktopName: string | null;
  ipAddress: string | null;
}

export interface WorkspaceSubJob {
  id: string;
  jobType: string;
  status: WorkspaceSubJobStatus;
  /** 0..100; rendered as the integer `process`. */
  process: number | null;
  beginTime: Instant;
  endTime: Instant;
  errorCode: string | null;
  failReason: string | null;
  host: string | null;
  attachUser: string | null;
  entity: string | null;
  ipAddress: string | null;
  /** Not rendered (JobDetailInfo has no such field); only the `desktop_pool_id` filter reads it. */
  desktopPoolId: string | null;
  entities: WorkspaceDesktop;
}

export interface WorkspaceJob extends RecordIdentity {
  jobType: string;
  status: WorkspaceJobStatus;
  beginTime: Instant;
  endTime: Instant;
  jobErrorCode: string | null;
  failReason: string | null;
  subJobs: WorkspaceSubJob[];
}

const PARENT_TERMINAL = new Set(['SUCCESS', 'COMPLETE', 'FAIL', 'FAILED']);
const SUB_TERMINAL = new Set(['SUCCESS', 'FAILED']);

function normalizeDesktop(raw: unknown): WorkspaceDesktop {
  const d = isRaw(raw) ? raw : {};
  return {
    desktopId: asString(d.desktopId, ''),
    productId: asNullableString(d.productId),
    userName: asNullableString(d.userName),
    desktopName: asNullableString(d.desktopName),
    ipAddress: asNullableString(d.ipAddress),
  };
}

function normalizeSubJob(raw: Raw, parent: { jobType: string; beginTime: Instant }): WorkspaceSubJob {
  return {
    id: asString(raw.id, ''),
    jobType: asString(raw.jobType, parent.jobType),
    status: asString(raw.status, 'WAITING'),
    process: asNullableNumber(raw.process, 0),
    beginTime: asInstant(raw.beginTime, parent.beginTime),
    endTime: asInstant(raw.endTime, null),
    errorCode: asNullableString(raw.errorCode),
    failReason: asNullableString(raw.failReason),
    host: asNullableString(raw.host),
    attachUser: asNullableString(raw.attachUser),
    entity: asNullableString(raw.entity),
    ipAddress: asNullableString(raw.ipAddress),
    desktopPoolId: asNullableString(raw.desktopPoolId),
    entities: normalizeDesktop(raw.entities),
  };
}

export function normalizeWorkspaceJob(raw: Raw, identity: RecordIdentity): WorkspaceJob {
  const head = jobHead(raw, identity, 'createDesktops');
  return {
    ...head,
    jobErrorCode: asNullableString(raw.jobErrorCode),
    failReason: asNullableString(raw.failReason),
    subJobs: asRawArray(raw.subJobs).map((s) => normalizeSubJob(s, head)),
  };
}

/** Fills end times (and a finished sub-job's 100%) the moment a status becomes terminal. */
export function stampWorkspaceJob(job: WorkspaceJob, at: number): void {
  if (PARENT_TERMINAL.has(job.status) && job.endTime === null) job.endTime = at;
  for (const sub of job.subJobs) {
    if (SUB_TERMINAL.has(sub.status) && sub.endTime === null) sub.endTime = at;
    if (sub.status === 'SUCCESS' && sub.process !== null && sub.process < 100) sub.process = 100;
  }
}
