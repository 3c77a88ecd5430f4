/**
 * Workspace Application Streaming job records (docs/upstream.md#app-streaming). One record renders the v1 view
 * (`{"job": JobDetail}`, integer statuses), the v2 view (flat, string statuses) and the sub-job list items,
 * so the three always agree.
 */
import {
  jobHead,
  asInstant,
  asNullableNumber,
  asNullableString,
  asNumber,
  asRawArray,
  asString,
  isRaw,
  type Instant,
  type Raw,
} from './coerce.js';
import type { RecordIdentity } from './identity.js';

/** Parent status (v2 JobStatus); v1 renders it as job_status 3/2/1/0. */
export type AppStreamingJobStatus = 'WAITING' | 'RUNNING' | 'SUCCESS' | 'FAILED' | (string & {});
/** Sub-job status (JobDetailStatus, 7 values). */
export type AppStreamingSubJobStatus =
  | 'WAITING'
  | 'RUNNING'
  | 'SUCCESS'
  | 'FAILED'
  | 'ABNORMAL'
  | 'ROLLBACK'
  | 'ABORTING'
  | (string & {});

export interface AppRelativeResource {
  relativeResourceId: string;
  relativeResourceName: string;
  /** 0 mounted (weak), 1 bound (strong). */
  relativeType: number;
  relativeCloudServiceType: string | null;
  relativeResourceType: string | null;
  extendParams: string | null;
}

/** JobResourceInfo: the v1 view renders every field, the v2 and list views only id and name (as documented). */
export interface AppResource {
  resourceId: string;
  resourceName: string;
  cloudServiceType: string | null;
  resourceType: string | null;
  resourceSpecCode: string | null;
  specType: Record<string, unknown> | null;
  specSize: number | null;
  measure: number | null;
  processedTime: Instant;
  isMainResource: number | null;
  mainResources: AppRelativeResource[];
  extendParams: string | null;
  oldResourceId: string | null;
  oldCloudServiceType: string | null;
  oldResourceType: string | null;
}

export interface AppStreamingSubJob {
  id: string;
  jobType: string;
  status: AppStreamingSubJobStatus;
  beginTime: Instant;
  endTime: Instant;
  expectedEndTime: Instant;
  /** `""` when there is none, as in the official v2 example. */
  errorCode: string;
  errorMessage: string;
  resource: AppResource | null;
}

/**
 * `flat` items carry `error_code`/`error_message` (the doc, docs/upstream.md#app-streaming(a)); `nested` items carry
 * `job_execute_info{error_code,error_message}` (GO/DEF ImageJobDetailInfo, docs/upstream.md#app-streaming(b)). Only the list route reads it.
 */
export type SubJobShape = 'flat' | 'nested';

export interface AppStreamingJob extends RecordIdentity {
  jobType: string;
  status: AppStreamingJobStatus;
  beginTime: Instant;
  endTime: Instant;
  expectedEndTime: Instant;
  executeCode: string;
  executeMessage: string;
  subJobShape: SubJobShape;
  subJobs: AppStreamingSubJob[];
}

const PARENT_TERMINAL = new Set(['SUCCESS', 'FAILED']);
/** ABNORMAL is taken as terminal (docs/upstream.md#statuses, assumed); ROLLBACK and ABORTING are still moving. */
const SUB_TERMINAL = new Set(['SUCCESS', 'FAILED', 'ABNORMAL']);

function normalizeRelative(raw: Raw): AppRelativeResource {
  return {
    relativeResourceId: asString(raw.relativeResourceId, ''),
    relativeResourceName: asString(raw.relativeResourceName, ''),
    relativeType: asNumber(raw.relativeType, 0),
    relativeCloudServiceType: asNullableString(raw.relativeCloudServiceType),
    relativeResourceType: asNullableString(raw.relativeResourceType),
    extendParams: asNullableString(raw.extendParams),
  };
}

function normalizeResource(raw: unknown): AppResource | null {
  if (!isRaw(raw)) return null;
  return {
    resourceId: asString(raw.resourceId, ''),
    resourceName: asString(raw.resourceName, ''),
    cloudServiceType: asNullableString(raw.cloudServiceType),
    resourceType: asNullableString(raw.resourceType),
    resourceSpecCode: asNullableString(raw.resourceSpecCode),
    specType: isRaw(raw.specType) ? raw.specType : null,
    specSize: asNullableNumber(raw.specSize),
    measure: asNullableNumber(raw.measure),
    processedTime: asInstant(raw.processedTime, null),
    isMainResource: asNullableNumber(raw.isMainResource),
    mainResources: asRawArray(raw.mainResources).map(normalizeRelative),
    extendParams: asNullableString(raw.extendParams),
    oldResourceId: asNullableString(raw.oldResourceId),
    oldCloudServiceType: asNullableString(raw.oldCloudServiceType),
    oldResourceType: asNullableString(raw.oldResourceType),
  };
}

function normalizeSubJob(raw: Raw, parent: { jobType: string; beginTime: Instant }): AppStreamingSubJob {
  return {
    id: asString(raw.id, ''),
    jobType: asString(raw.jobType, parent.jobType),
    status: asString(raw.status, 'WAITING'),
    beginTime: asInstant(raw.beginTime, parent.beginTime),
    endTime: asInstant(raw.endTime, null),
    expectedEndTime: asInstant(raw.expectedEndTime, null),
    errorCode: asString(raw.errorCode, ''),
    errorMessage: asString(raw.errorMessage, ''),
    resource: normalizeResource(raw.resource),
  };
}

export function normalizeAppStreamingJob(raw: Raw, identity: RecordIdentity): AppStreamingJob {
  const head = jobHead(raw, identity, 'CREATE_SERVER');
  return {
    ...head,
    expectedEndTime: asInstant(raw.expectedEndTime, null),
    executeCode: asString(raw.executeCode, ''),
    executeMessage: asString(raw.executeMessage, ''),
    subJobShape: raw.subJobShape === 'nested' ? 'nested' : 'flat',
    subJobs: asRawArray(raw.subJobs).map((s) => normalizeSubJob(s, head)),
  };
}

export function stampAppStreamingJob(job: AppStreamingJob, at: number): void {
  if (PARENT_TERMINAL.has(job.status) && job.endTime === null) job.endTime = at;
  for (const sub of job.subJobs) {
    if (SUB_TERMINAL.has(sub.status) && sub.endTime === null) sub.endTime = at;
  }
}
