/**
 * Pure mappers from raw Workspace bodies to our model (docs/upstream.md#workspace, docs/upstream.md#statuses; docs/architecture.md#mapping).
 */
import type {
  DesktopModel,
  JobErrorModel,
  JobLocation,
  SubJobPageModel,
  WorkspaceJobModel,
  WorkspaceSubJobModel,
} from '../../model/job.js';
import { jobError, uniqueEntities, nonEmpty, parseProgress, parseUpstreamTime } from '../../model/normalize.js';
import { progressOf, statusOf, statusTable, type Status, type UnknownStatusReport } from '../../model/status.js';
import type { WorkspaceJobRaw, WorkspaceSubJobListRaw, WorkspaceSubJobRaw } from './raw.js';

const SERVICE = 'WORKSPACE' as const;

/** Statuses are matched as documented, ignoring case and surrounding blanks. */
const canonical = (status: string): string => status.trim().toUpperCase();

/**
 * A sub-job status (`JobDetailInfo.status`): WAITING, RUNNING, SUCCESS, FAILED. Anything else is UNKNOWN,
 * not terminal, and reported (the parent-only values FAIL and COMPLETE are not documented for sub-jobs).
 */
export const workspaceSubJobState = statusTable<string>(
  SERVICE,
  { WAITING: 'PENDING', RUNNING: 'RUNNING', SUCCESS: 'SUCCEEDED', FAILED: 'FAILED' },
  canonical,
);

const parentState = statusTable<string>(
  SERVICE,
  { WAITING: 'PENDING', RUNNING: 'RUNNING', SUCCESS: 'SUCCEEDED', COMPLETE: 'SUCCEEDED', FAIL: 'FAILED', FAILED: 'FAILED' },
  canonical,
);

/**
 * A parent job status (`ShowJobRsp.status`, no published enum; docs/upstream.md#workspace). SUCCESS and
 * COMPLETE are terminal and succeed only when every sub-job status is SUCCESS; FAIL and FAILED fail.
 */
export function workspaceJobState(status: string, subJobStatuses: readonly string[], report: UnknownStatusReport): Status {
  const own = parentState(status, report);
  if (own.state !== 'SUCCEEDED' || subJobStatuses.every((s) => canonical(s) === 'SUCCESS')) return own;
  return statusOf('FAILED');
}

function desktopOf(raw: WorkspaceSubJobRaw): DesktopModel | null {
  const entities = raw.entities;
  const id = nonEmpty(entities?.desktop_id);
  if (id === null) return null;
  return {
    kind: 'Desktop',
    id,
    name: nonEmpty(entities?.desktop_name) ?? nonEmpty(raw.desktop_name),
    productId: nonEmpty(entities?.product_id),
    userName: nonEmpty(entities?.user_name),
    ipAddress: nonEmpty(entities?.ip_address) ?? nonEmpty(raw.ip_address),
  };
}

/**
 * `error_code` / `fail_reason`; DEF's `message` stands in for a missing `fail_reason`, but only when the
 * sub-job failed or names an error code (so that a success message never reads as an error).
 */
function subJobError(raw: WorkspaceSubJobRaw, failed: boolean): JobErrorModel | null {
  const code = nonEmpty(raw.error_code);
  const message = nonEmpty(raw.fail_reason) ?? (failed || code !== null ? nonEmpty(raw.message) : null);
  return jobError(code, message);
}

/**
 * One `JobDetailInfo`. `parentJobId` is the sub-job's own `job_id`; `fallbackParentJobId` (the enclosing job's
 * id, for `sub_jobs[]` of ShowJob) is used only when that is absent.
 */
export function mapWorkspaceSubJob(
  raw: WorkspaceSubJobRaw,
  fallbackParentJobId: string | null,
  report: UnknownStatusReport,
): WorkspaceSubJobModel {
  const { state, terminal } = workspaceSubJobState(raw.status, report);
  const desktop = desktopOf(raw);
  return {
    kind: 'WorkspaceSubJob',
    id: raw.id,
    parentJobId: nonEmpty(raw.job_id) ?? nonEmpty(fallbackParentJobId),
    jobType: nonEmpty(raw.job_type),
    state,
    rawStatus: raw.status,
    terminal,
    progress: progressOf(state, parseProgress(raw.process)),
    startedAt: parseUpstreamTime(raw.begin_time),
    finishedAt: parseUpstreamTime(raw.end_time),
    error: subJobError(raw, state === 'FAILED'),
    entities: desktop ? [desktop] : [],
    resources: [],
    host: nonEmpty(raw.host),
    attachUser: nonEmpty(raw.attach_user),
  };
}

/** Rounded mean of the sub-jobs' reported `process`, or null unless every sub-job reports one. */
function meanProgress(subJobs: readonly WorkspaceSubJobRaw[]): number | null {
  if (subJobs.length === 0) return null;
  let sum = 0;
  for (const sub of subJobs) {
    const p = parseProgress(sub.process);
    if (p === null) return null;
    sum += p;
  }
  return Math.round(sum / subJobs.length);
}

/** ShowJob body. */
export function mapWorkspaceJob(raw: WorkspaceJobRaw, loc: JobLocation, report: UnknownStatusReport): WorkspaceJobModel {
  const rawSubJobs = raw.sub_jobs ?? [];
  const { state, terminal } = workspaceJobState(
    raw.status,
    rawSubJobs.map((s) => s.status),
    report,
  );
  const subJobs = rawSubJobs.map((s) => mapWorkspaceSubJob(s, raw.id, report));

  let error = jobError(raw.job_error_code, raw.fail_reason);
  if (error === null && state === 'FAILED') {
    // The parent failed without saying why: borrow the first failed sub-job's reason, else the first
    // unfinished-or-unknown one's (COMPLETE with a sub-job that never reached SUCCESS).
    const culprit =
      subJobs.find((s) => s.state === 'FAILED' && s.error !== null) ??
      subJobs.find((s) => s.state !== 'SUCCEEDED' && s.error !== null);
    error = culprit?.error ? { ...culprit.error } : null;
  }

  return {
    kind: 'WorkspaceJob',
    service: 'WORKSPACE',
    region: loc.region,
    projectId: loc.projectId,
    jobId: raw.id,
    jobType: nonEmpty(raw.job_type),
    state,
    rawStatus: raw.status,
    terminal,
    progress: progressOf(state, meanProgress(rawSubJobs)),
    startedAt: parseUpstreamTime(raw.begin_time),
    finishedAt: parseUpstreamTime(raw.end_time),
    error,
    subJobsTotal: raw.sub_jobs_total ?? (raw.sub_jobs ? raw.sub_jobs.length : null),
    subJobs,
    entities: uniqueEntities(subJobs.flatMap((s) => s.entities)),
  };
}

/**
 * ListItaSubJobs body. `totalCount` is upstream's `total_count`, but never less than the items on the page
 * (a missing or smaller count cannot be the total).
 */
export function mapWorkspaceSubJobPage(raw: WorkspaceSubJobListRaw, report: UnknownStatusReport): SubJobPageModel {
  const items = raw.jobs.map((s) => mapWorkspaceSubJob(s, null, report));
  return { totalCount: Math.max(raw.total_count ?? 0, items.length), items };
}
