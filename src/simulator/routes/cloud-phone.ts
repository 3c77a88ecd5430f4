/** Cloud Phone routes (docs/upstream.md#cloud-phone): ShowJob and ListJobs (`?request_id=` / `?request_ids=a,b`). */
import { serviceErrorFor } from '../errors.js';
import { isRequestId, type CloudPhoneJob } from '../records/cloud-phone.js';
import { json, type SimResponse } from '../response.js';
import { isoSeconds } from '../time-format.js';
import { intParam, INVALID, page } from './params.js';
import type { RouteContext, RouteDef } from './route.js';

const MAX_REQUEST_IDS = 20;

function time(ms: number | null): string | null {
  return ms === null ? null : isoSeconds(ms);
}

/**
 * ShowJobResponseBody with explicit nulls, as in the official example. A phone-level task reports `phone_id`
 * and no `server_id` (as the example); a server-level task reports `server_id`.
 */
export function renderCloudPhoneJob(job: CloudPhoneJob): Record<string, unknown> {
  const target =
    job.phoneId !== null ? { phone_id: job.phoneId } : job.serverId !== null ? { server_id: job.serverId } : {};
  return {
    request_id: job.requestId,
    job_id: job.id,
    ...target,
    begin_time: time(job.beginTime),
    end_time: time(job.endTime),
    status: job.status,
    error_code: job.errorCode,
    error_msg: job.errorMsg,
    execute_msg: job.executeMsg,
  };
}

/** ListJobs item: no request_id (as documented), `""` for absent errors as in the example. */
function renderListItem(job: CloudPhoneJob): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  if (job.phoneId !== null) item.phone_id = job.phoneId;
  if (job.serverId !== null) item.server_id = job.serverId;
  if (job.nodeId !== null) item.node_id = job.nodeId;
  Object.assign(item, {
    job_id: job.id,
    begin_time: time(job.beginTime),
    end_time: time(job.endTime),
    status: job.status,
    error_code: job.errorCode ?? '',
    error_msg: job.errorMsg ?? '',
  });
  if (job.executeMsg !== null) item.execute_msg = job.executeMsg;
  return item;
}

function showJob(ctx: RouteContext): SimResponse {
  const job = ctx.jobId === undefined ? undefined : ctx.store.get('cloudPhone', ctx.projectId, ctx.jobId);
  return job ? json(200, renderCloudPhoneJob(job)) : serviceErrorFor('cloudPhone', 404, ctx.requestId);
}

/**
 * The ids asked for, or INVALID. `request_id` is documented as exactly 32 characters, and so is each id of
 * `request_ids`. CHOICE: ids are taken as sent (no trimming), so an empty element ("a,,b", a trailing comma)
 * or one with blanks is malformed; a malformed `request_id` is refused even when `request_ids` wins; an empty
 * parameter counts as absent.
 */
function requestedIds(query: URLSearchParams): string[] | typeof INVALID {
  const one = query.get('request_id') || null;
  const many = query.get('request_ids') || null;
  const ids = many === null ? (one === null ? [] : [one]) : many.split(',');
  if ((one !== null && !isRequestId(one)) || !ids.every(isRequestId)) return INVALID;
  // "If both are sent, request_ids wins."
  return ids;
}

function listJobs(ctx: RouteContext): SimResponse {
  const ids = requestedIds(ctx.query);
  // CHOICE: limit accepts the doc's minimum (1) up to DEF's maximum (8096), default 100 (doc); offset per DEF.
  const offset = intParam(ctx.query, 'offset', 0, 8096, 0);
  const limit = intParam(ctx.query, 'limit', 1, 8096, 100);
  if (ids === INVALID || ids.length === 0 || ids.length > MAX_REQUEST_IDS || offset === INVALID || limit === INVALID) {
    return serviceErrorFor('cloudPhone', 400, ctx.requestId);
  }
  const jobs = ctx.store.list('cloudPhone', ctx.projectId);
  const unique = [...new Set(ids)];
  const matches = unique.flatMap((requestId) => jobs.filter((job) => job.requestId === requestId));
  return json(200, {
    // CHOICE: the schema has one request_id; with several requested we echo the first (well formed: checked above).
    request_id: unique[0],
    jobs: page(matches, offset, limit).map(renderListItem),
  });
}

export const cloudPhoneRoutes: readonly RouteDef[] = [
  { id: 'cloudPhone.showJob', service: 'cloudPhone', path: '/v1/{project_id}/cloud-phone/jobs/{job_id}', handle: showJob },
  { id: 'cloudPhone.listJobs', service: 'cloudPhone', path: '/v1/{project_id}/cloud-phone/jobs', handle: listJobs },
];
