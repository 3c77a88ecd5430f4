/** GaussDB(for MySQL) routes (docs/upstream.md#gaussdb): ShowGaussMySqlJobInfo (`jobs?id=`) and ListImmediateJobs. */
import { serviceErrorFor } from '../errors.js';
import type { GaussDbJob } from '../records/index.js';
import { json, type SimResponse } from '../response.js';
import { gaussTime, parseGaussTime } from '../time-format.js';
import { compact, intParam, INVALID, page } from './params.js';
import type { RouteContext, RouteDef } from './route.js';

const STATUSES = new Set(['Pending', 'Running', 'Completed', 'Failed']);
const PAGE_SIZES = new Set([10, 20, 50]);

/** `"60%"` while Running, `""` otherwise (docs/upstream.md#gaussdb). */
function processText(job: GaussDbJob): string {
  return job.status === 'Running' ? `${Math.round(job.process ?? 0)}%` : '';
}

export function renderGaussDbJob(job: GaussDbJob): Record<string, unknown> {
  return {
    job: compact({
      id: job.id,
      name: job.name,
      status: job.status,
      // Required, but "empty while the instance is still being created" (DEF): "" rather than absent.
      created: job.created === null ? '' : gaussTime(job.created),
      ended: job.ended === null ? null : gaussTime(job.ended),
      process: processText(job),
      instance: { id: job.instance.id, name: job.instance.name },
      entities: job.entities,
      fail_reason: job.failReason,
    }),
  };
}

function renderTask(job: GaussDbJob): Record<string, unknown> {
  return {
    job_id: job.id,
    job_name: job.name,
    status: job.status,
    instance_id: job.instance.id,
    instance_name: job.instance.name,
    instance_status: job.instanceStatus,
    created_time: job.created === null ? '' : gaussTime(job.created),
    ended_time: job.ended === null ? '' : gaussTime(job.ended),
    process: processText(job),
    fail_reason: job.failReason ?? '',
    order_id: job.orderId,
    show_detail: job.showDetail,
  };
}

function showJob(ctx: RouteContext): SimResponse {
  if (ctx.jobId === undefined || ctx.jobId === '') return serviceErrorFor('gaussdb', 400, ctx.requestId);
  const job = ctx.store.get('gaussdb', ctx.projectId, ctx.jobId);
  return job ? json(200, renderGaussDbJob(job)) : serviceErrorFor('gaussdb', 404, ctx.requestId);
}

function timeBound(query: URLSearchParams, name: string): number | null | typeof INVALID {
  const text = query.get(name);
  if (text === null || text === '') return null;
  return parseGaussTime(text) ?? INVALID;
}

function listImmediateJobs(ctx: RouteContext): SimResponse {
  const { query } = ctx;
  const status = query.get('status') || undefined;
  const limit = intParam(query, 'limit', 10, 50, 10);
  // CHOICE: the doc's "default 1" for offset reads like a 1-based page; we take 0-based, default 0.
  const offset = intParam(query, 'offset', 0, Number.MAX_SAFE_INTEGER, 0);
  const start = timeBound(query, 'start_time');
  const end = timeBound(query, 'end_time');
  const invalid =
    (status !== undefined && !STATUSES.has(status)) ||
    limit === INVALID ||
    !PAGE_SIZES.has(limit) ||
    offset === INVALID ||
    start === INVALID ||
    end === INVALID;
  if (invalid) return serviceErrorFor('gaussdb', 400, ctx.requestId);

  const jobName = query.get('job_name') || undefined;
  const jobId = query.get('job_id') || undefined;
  const all = ctx.store.list('gaussdb', ctx.projectId);
  const matches = all
    .filter((job) => status === undefined || job.status === status)
    .filter((job) => jobName === undefined || job.name === jobName)
    .filter((job) => jobId === undefined || job.id === jobId)
    .filter((job) => start === null || (job.created ?? job.createdAt) >= start)
    .filter((job) => end === null || (job.created ?? job.createdAt) <= end)
    // Newest first, like a task centre; the sort is stable for equal times.
    .sort((a, b) => (b.created ?? b.createdAt) - (a.created ?? a.createdAt));
  return json(200, {
    total_count: matches.length,
    jobs: page(matches, offset, limit).map(renderTask),
    // CHOICE: the task names present in the project (the doc does not say what the list is drawn from).
    action_names: [...new Set(all.map((job) => job.name))],
  });
}

export const gaussdbRoutes: readonly RouteDef[] = [
  { id: 'gaussdb.showJob', service: 'gaussdb', path: '/v3/{project_id}/jobs', jobIdQuery: 'id', handle: showJob },
  {
    id: 'gaussdb.listImmediateJobs',
    service: 'gaussdb',
    path: '/v3/{project_id}/immediate-jobs',
    handle: listImmediateJobs,
  },
];
