/** Cloud Phone (CPH) job records (docs/upstream.md#cloud-phone). Each job remembers the request that created it. */
import { randomBytes } from 'node:crypto';
import { asInstant, asNullableString, asNumber, asString, type Instant, type Raw } from './coerce.js';
import type { RecordIdentity } from './identity.js';
import { PatchError } from '../timeline.js';

/** 1 running, 2 success, -1 failure; other integers are allowed so clients can meet the undocumented. */
export type CloudPhoneJobStatus = 1 | 2 | -1 | (number & {});

export interface CloudPhoneJob extends RecordIdentity {
  /** The `request_id` returned by the operation that created this job (32 hex). */
  requestId: string;
  status: CloudPhoneJobStatus;
  /** Set for phone-level tasks; ShowJob then reports `phone_id` (and no `server_id`), as in the example. */
  phoneId: string | null;
  /** The server of a server-level task, or the server hosting the phone (ListJobs reports it for both). */
  serverId: string | null;
  /** Deprecated duplicate of the server id in ListJobs; defaults to serverId. */
  nodeId: string | null;
  beginTime: Instant;
  endTime: Instant;
  errorCode: string | null;
  errorMsg: string | null;
  executeMsg: string | null;
}

const TERMINAL = new Set([2, -1]);

/** A request id as documented: exactly 32 characters. */
export function isRequestId(value: string): boolean {
  return value.length === 32;
}

/** A record's request id is every answer's top-level `request_id`, so a malformed one is refused here. */
function requestIdOf(raw: Raw): string {
  const requestId = asString(raw.requestId, randomBytes(16).toString('hex'));
  if (!isRequestId(requestId)) throw new PatchError(`requestId must be 32 characters; got "${requestId.slice(0, 40)}"`);
  return requestId;
}

export function normalizeCloudPhoneJob(raw: Raw, identity: RecordIdentity): CloudPhoneJob {
  const serverId = asNullableString(raw.serverId);
  return {
    ...identity,
    requestId: requestIdOf(raw),
    status: asNumber(raw.status, 1),
    phoneId: asNullableString(raw.phoneId),
    serverId,
    nodeId: asNullableString(raw.nodeId, serverId),
    beginTime: asInstant(raw.beginTime, identity.createdAt),
    endTime: asInstant(raw.endTime, null),
    errorCode: asNullableString(raw.errorCode),
    errorMsg: asNullableString(raw.errorMsg),
    executeMsg: asNullableString(raw.executeMsg),
  };
}

export function stampCloudPhoneJob(job: CloudPhoneJob, at: number): void {
  if (TERMINAL.has(job.status) && job.endTime === null) job.endTime = at;
}
