/** Workspace routes (docs/upstream.md#workspace): ShowJob and ListItaSubJobs, rendered from the store's records. */
import { serviceErrorFor } from '../errors.js';
import type { WorkspaceJob, WorkspaceSubJob } from '../records/index.js';
import { json, type SimResponse } from '../response.js';
import { workspaceTime } from '../time-format.js';
import { allValues, compact, intParam, INVALID, page } from './params.js';
import type { RouteContext, RouteDef } from './route.js';

const SUB_JOB_STATUSES = new Set(['SUCCESS', 'RUNNING', 'FAILED', 'WAITING']);

function time(ms: number | null): string | null {
  return ms === null ? null : workspaceTime(ms);
}

/** JobDetailInfo in the doc/GO field set (docs/upstream.md#workspace); empty optional fields are left out, as in the DEF example. */
function renderSubJob(job: WorkspaceJob, sub: WorkspaceSubJob): Record<string, unknown> {
  return compact({
    id: sub.id,
    job_id: job.id,
    job_type: sub.jobType,
    status: sub.status,
    process: sub.process,
    begin_time: time(sub.beginTime),
    end_time: time(sub.endTime),
    error_code: sub.errorCode,
    fail_reason: sub.failReason,
    host: sub.host,
    project_id: job.projectId,
    attach_user: sub.attachUser,
    entity: sub.entity,
    ip_address: sub.ipAddress,
    entities: compact({
      desktop_id: sub.entities.desktopId,
      product_id: sub.entities.productId,
      user_name: sub.entities.userName,
      desktop_name: sub.entities.desktopName,
      ip_address: sub.entities.ipAddress,
    }),
  });
}

/** ShowJobRsp. Parent error fields stay as explicit nulls, like the published illustrative body. */
export function renderWorkspaceJob(job: WorkspaceJob): Record<string, unknown> {
  return {
    id: job.id,
    job_type: job.jobType,
    begin_time: time(job.beginTime),
    end_time: time(job.endTime),
    status: job.status,
    job_error_code: job.jobErrorCode,
    fail_reason: job.failReason,
    sub_jobs_total: job.subJobs.length,
    sub_jobs: job.subJobs.map((sub) => renderSubJob(job, sub)),
  };
}

function showJob(ctx: RouteContext): SimResponse {
  const job = ctx.jobId === undefined ? undefined : ctx.store.get('workspace', ctx.projectId, ctx.jobId);
  if (!job) return serviceErrorFor('workspace', 404, ctx.requestId);
  return json(200, renderWorkspaceJob(job));
}

function listSubJobs(ctx: RouteContext): SimResponse {
  const { query } = ctx;
  const limit = intParam(query, 'limit', 0, 1000, 1000);
  const offset = intParam(query, 'offset', 0, 10000, 0);
  // DEF's example repeats `status` (?status=FAILED&status=RUNNING), so several values filter as "any of".
  const statuses = allValues(query, 'status');
  if (limit === INVALID || offset === INVALID || statuses.some((s) => !SUB_JOB_STATUSES.has(s))) {
    return serviceErrorFor('workspace', 400, ctx.requestId);
  }
  const jobId = query.get('job_id') || undefined;
  const jobType = query.get('job_type') || undefined;
  const poolId = query.get('desktop_pool_id') || undefined;
  const matches = ctx.store
    .list('workspace', ctx.projectId)
    .filter((job) => jobId === undefined || job.id === jobId)
    .flatMap((job) => job.subJobs.map((sub) => ({ job, sub })))
    .filter(({ sub }) => statuses.length === 0 || statuses.includes(sub.status))
    .filter(({ sub }) => jobType === undefined || sub.jobType === jobType)
    .filter(({ sub }) => poolId === undefined || sub.desktopPoolId === poolId);
  return json(200, {
    total_count: matches.length,
    jobs: page(matches, offset, limit).map(({ job, sub }) => renderSubJob(job, sub)),
  });
}

export const workspaceRoutes: readonly RouteDef[] = [
  { id: 'workspace.showJob', service: 'workspace', path: '/v2/{project_id}/workspace-jobs/{job_id}', handle: showJob },
  { id: 'workspace.listSubJobs', service: 'workspace', path: '/v2/{project_id}/workspace-sub-jobs', handle: listSubJobs },
];
