/**
 * Input validation, done before any upstream call: every rule here answers BAD_USER_INPUT with a message that
 * says what to change.
 */
import { badUserInput } from '../errors.js';
import type { CloudService, JobLocation } from '../model/job.js';
import { isRequestId, type JobRef } from '../model/job-ref.js';
import type { EndpointResolver } from '../upstream/endpoints.js';

export const MAX_REFS = 100;
const PROJECT_ID_RE = /^[A-Za-z0-9-]{1,128}$/;
const MAX_ID_LENGTH = 255;

export interface Defaults {
  region: string;
  projectId: string | null;
}

export interface JobRefInput {
  service: CloudService;
  jobId: string;
  projectId?: string | null;
  region?: string | null;
  requestId?: string | null;
}

function id(value: string, what: string): string {
  const text = value.trim();
  if (text === '') throw badUserInput(`${what} must not be empty`);
  if (text.length > MAX_ID_LENGTH) throw badUserInput(`${what} must be at most ${MAX_ID_LENGTH} characters`);
  return text;
}

/** Region and project, defaulted from configuration, and checked to be reachable. */
export function location(
  args: { projectId?: string | null; region?: string | null },
  defaults: Defaults,
  endpoints: EndpointResolver,
  service: CloudService,
): JobLocation {
  const projectId = args.projectId?.trim() || defaults.projectId;
  if (!projectId) throw badUserInput('projectId is required: no HUAWEICLOUD_SDK_PROJECT_ID is configured');
  if (!PROJECT_ID_RE.test(projectId)) throw badUserInput(`projectId "${projectId.slice(0, 140)}" is not a project id`);
  const region = args.region?.trim() || defaults.region;
  endpoints.resolve(service, region); // throws BAD_USER_INPUT for a region nobody serves
  return { region, projectId };
}

/** `at` names the ref's position (`ref`, `refs[1]`) in a request id's message. */
export function jobRef(ref: JobRefInput, defaults: Defaults, endpoints: EndpointResolver, at = 'ref'): JobRef {
  const jobId = id(ref.jobId, 'jobId');
  let requestId: string | null = null;
  if (ref.requestId !== undefined && ref.requestId !== null) {
    if (ref.service !== 'CLOUD_PHONE') throw badUserInput('requestId is only meaningful for CLOUD_PHONE jobs');
    requestId = requestIdOf(ref.requestId, `${at}.requestId`);
  }
  return { service: ref.service, jobId, requestId, ...location(ref, defaults, endpoints, ref.service) };
}

export function jobRefs(refs: readonly JobRefInput[], defaults: Defaults, endpoints: EndpointResolver): JobRef[] {
  if (refs.length === 0 || refs.length > MAX_REFS) {
    throw badUserInput(`refs must hold 1 to ${MAX_REFS} job references; got ${refs.length}`);
  }
  return refs.map((ref, i) => {
    const at = `refs[${i}]`;
    try {
      return jobRef(ref, defaults, endpoints, at);
    } catch (err) {
      // A message naming a field at this position (`refs[1].requestId`) already says where.
      if (err instanceof Error && !err.message.startsWith(`${at}.`)) err.message = `${at}: ${err.message}`;
      throw err;
    }
  });
}

/** `what` names the value's position in the message, e.g. `requestIds[2]` or `refs[1].requestId`. */
export function requestIdOf(value: string, what: string): string {
  const text = value.trim();
  if (!isRequestId(text)) {
    throw badUserInput(`${what} must be a 32-character request id (letters, digits and "-"); got "${text.slice(0, 40)}"`);
  }
  return text;
}

export function requestIds(values: readonly string[]): string[] {
  if (values.length === 0 || values.length > MAX_REFS) {
    throw badUserInput(`requestIds must hold 1 to ${MAX_REFS} ids; got ${values.length}`);
  }
  return [...new Set(values.map((value, i) => requestIdOf(value, `requestIds[${i}]`)))];
}

export function range(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badUserInput(`${name} must be between ${min} and ${max}; got ${value}`);
  }
  return value;
}

/** App Streaming's ListSubJobs job_type filter pattern (docs/upstream.md#app-streaming). */
export const APP_STREAMING_SUB_JOB_TYPES = [
  'CREATE_SERVER', 'DELETE_SERVER', 'REJOIN_DOMAIN', 'CHANGE_SERVER_IMAGE', 'REINSTALL_OS', 'MIGRATE_SERVER',
  'UPDATE_SERVER_TSVI', 'UPGRADE_ACCESS_AGENT', 'SCHEDULED_TASK', 'UPDATE_FREEZE_STATUS',
] as const;
export const APP_STREAMING_SUB_JOB_STATUSES = ['WAITING', 'RUNNING', 'SUCCESS', 'FAILED', 'ABNORMAL', 'ROLLBACK', 'ABORTING'] as const;
/** Workspace job types (docs/upstream.md#workspace, Go SDK list). */
export const WORKSPACE_JOB_TYPES = [
  'createDesktops', 'applyWorkspace', 'cancelWorkspace', 'expandVolumes', 'addVolumes', 'rebuildDesktops',
  'createSnapshot', 'deleteSnapshot', 'deleteDesktops', 'desktopRejoinDomain', 'operateDesktops',
  'restoreDesktopBySnapshot', 'desktopToImage', 'attachDesktops', 'deleteVolumes', 'createWksSnapshot',
  'deleteWksSnapshot', 'createDesktopPool', 'expandDesktopPool', 'deleteDesktopPoolVolumes', 'rebuildDesktopPool',
  'addDesktopPoolVolumes', 'detachDesktops', 'attachDesktopPool', 'batchDetachDesktops', 'executeDesktopsAction',
  'changeDesktopNetwork', 'batchChangeDesktopNetwork',
] as const;
export const WORKSPACE_SUB_JOB_STATUSES = ['SUCCESS', 'RUNNING', 'FAILED', 'WAITING'] as const;

export function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw badUserInput(`${name} "${value.slice(0, 60)}" is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}
