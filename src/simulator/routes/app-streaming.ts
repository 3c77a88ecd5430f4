/**
 * Workspace Application Streaming routes (docs/upstream.md#app-streaming): v1 ShowJob (integer statuses, billing entities),
 * v2 ShowJobDetail (flat), ListSubJobs and CountSubJobs, all rendered from the same record.
 */
import { serviceErrorFor } from '../errors.js';
import type { AppResource, AppStreamingJob, AppStreamingSubJob } from '../records/index.js';
import { json, type SimResponse } from '../response.js';
import { isoMillis, isoSeconds } from '../time-format.js';
import { compact, intParam, INVALID, page } from './params.js';
import type { RouteContext, RouteDef } from './route.js';

/** The ListSubJobs `job_type` filter pattern: 10 values, or empty (docs/upstream.md#app-streaming). */
const LIST_JOB_TYPE =
  /^(CREATE_SERVER|DELETE_SERVER|REJOIN_DOMAIN|CHANGE_SERVER_IMAGE|REINSTALL_OS|MIGRATE_SERVER|UPDATE_SERVER_TSVI|UPGRADE_ACCESS_AGENT|SCHEDULED_TASK|UPDATE_FREEZE_STATUS)?$/;
const STATUS = /^(WAITING|RUNNING|SUCCESS|FAILED|ABNORMAL|ROLLBACK|ABORTING)?$/;
/** JobType (GO, newest; 19 values): what CountSubJobs' comma-separated job_type may name. */
const JOB_TYPES = new Set([
  'CREATE_SERVER',
  'DELETE_SERVER',
  'UPDATE_FREEZE_STATUS',
  'CREATE_SERVER_IMAGE',
  'REINSTALL_OS',
  'CHANGE_SERVER_IMAGE',
  'REJOIN_DOMAIN',
  'MIGRATE_SERVER',
  'UPGRADE_ACCESS_AGENT',
  'UPDATE_SERVER_TSVI',
  'SCHEDULED_TASK',
  'COLLECT_HDA_LOG',
  'COLLECT_APS_LOG',
  'CREATE_SERVER_SNAPSHOT',
  'DELETE_SERVER_SNAPSHOT',
  'RESTORE_SERVER_SNAPSHOT',
  'BATCH_INSTALL_APP',
  'INSTALL_CES_AGENT',
  'UNINSTALL_CES_AGENT',
]);

/** v1 `job_status`: 0 failed, 1 succeeded, 2 processing, 3 initializing. */
const V1_PARENT_STATUS: Record<string, number> = { WAITING: 3, RUNNING: 2, SUCCESS: 1, FAILED: 0 };
/**
 * CHOICE: v1 has only four integers, so the sub-job detours map to "processing" (ROLLBACK, ABORTING) or
 * "failed" (ABNORMAL), following the normalized meanings of docs/upstream.md#statuses.
 */
const V1_SUB_STATUS: Record<string, number> = { ...V1_PARENT_STATUS, ROLLBACK: 2, ABORTING: 2, ABNORMAL: 0 };

/** An unmapped status renders as its own integer when it is one (to test clients on unknown values), else 2. */
function v1Status(table: Record<string, number>, status: string): number {
  const known = table[status];
  if (known !== undefined) return known;
  return /^-?\d+$/.test(status) ? Number(status) : 2;
}

function at(ms: number | null, format: (ms: number) => string): string | null {
  return ms === null ? null : format(ms);
}

/** JobResourceInfo with its billing fields, for the v1 `entities`. */
function renderResourceV1(resource: AppResource): Record<string, unknown> {
  return compact({
    resource_id: resource.resourceId,
    resource_name: resource.resourceName,
    cloud_service_type: resource.cloudServiceType,
    resource_type: resource.resourceType,
    resource_spec_code: resource.resourceSpecCode,
    spec_type: resource.specType,
    spec_size: resource.specSize,
    measure: resource.measure,
    processed_time: at(resource.processedTime, isoSeconds),
    is_main_resource: resource.isMainResource,
    main_resources: resource.mainResources.map((r) =>
      compact({
        relative_resource_id: r.relativeResourceId,
        relative_resource_name: r.relativeResourceName,
        relative_type: r.relativeType,
        relative_cloud_service_type: r.relativeCloudServiceType,
        relative_resource_type: r.relativeResourceType,
        extend_params: r.extendParams,
      }),
    ),
    extend_params: resource.extendParams,
    old_resource_id: resource.oldResourceId,
    old_cloud_service_type: resource.oldCloudServiceType,
    old_resource_type: resource.oldResourceType,
  });
}

export function renderAppStreamingJobV1(job: AppStreamingJob): Record<string, unknown> {
  return {
    job: compact({
      job_id: job.id,
      job_type: 1,
      job_status: v1Status(V1_PARENT_STATUS, job.status),
      sub_jobs: job.subJobs.map((sub) =>
        compact({
          job_id: sub.id,
          job_type: 2,
          job_status: v1Status(V1_SUB_STATUS, sub.status),
          entities: sub.resource ? [renderResourceV1(sub.resource)] : [],
          begin_time: at(sub.beginTime, isoSeconds),
          end_time: at(sub.endTime, isoSeconds),
          expected_end_time: at(sub.expectedEndTime, isoSeconds),
          execute_code: sub.errorCode,
          execute_message: sub.errorMessage,
        }),
      ),
      begin_time: at(job.beginTime, isoSeconds),
      end_time: at(job.endTime, isoSeconds),
      expected_end_time: at(job.expectedEndTime, isoSeconds),
      execute_code: job.executeCode,
      execute_message: job.executeMessage,
    }),
  };
}

/** Sub-job item: flat JobDetailInfo (doc, docs/upstream.md#app-streaming(a)) or nested ImageJobDetailInfo (GO/DEF, docs/upstream.md#app-streaming(b)). */
function renderSubJobItem(
  job: AppStreamingJob,
  sub: AppStreamingSubJob,
  shape: AppStreamingJob['subJobShape'],
): Record<string, unknown> {
  const errors =
    shape === 'flat'
      ? { error_code: sub.errorCode, error_message: sub.errorMessage }
      : { job_execute_info: { error_code: sub.errorCode, error_message: sub.errorMessage } };
  return compact({
    id: sub.id,
    job_id: job.id,
    job_type: sub.jobType,
    status: sub.status,
    begin_time: at(sub.beginTime, isoMillis),
    end_time: at(sub.endTime, isoMillis),
    ...errors,
    project_id: job.projectId,
    job_resource_info: sub.resource
      ? { resource_id: sub.resource.resourceId, resource_name: sub.resource.resourceName }
      : null,
  });
}

export function renderAppStreamingJobV2(job: AppStreamingJob): Record<string, unknown> {
  return compact({
    id: job.id,
    job_type: job.jobType,
    status: job.status,
    sub_jobs_total: job.subJobs.length,
    begin_time: at(job.beginTime, isoMillis),
    end_time: at(job.endTime, isoMillis),
    sub_jobs: job.subJobs.map((sub) => renderSubJobItem(job, sub, 'flat')),
  });
}

function findJob(ctx: RouteContext): AppStreamingJob | undefined {
  return ctx.jobId === undefined ? undefined : ctx.store.get('appStreaming', ctx.projectId, ctx.jobId);
}

function showJobV1(ctx: RouteContext): SimResponse {
  const job = findJob(ctx);
  return job ? json(200, renderAppStreamingJobV1(job)) : serviceErrorFor('appStreaming', 404, ctx.requestId);
}

function showJobV2(ctx: RouteContext): SimResponse {
  const job = findJob(ctx);
  return job ? json(200, renderAppStreamingJobV2(job)) : serviceErrorFor('appStreaming', 404, ctx.requestId);
}

interface SubJobRow {
  job: AppStreamingJob;
  sub: AppStreamingSubJob;
}

function matchingSubJobs(ctx: RouteContext, jobTypes: readonly string[]): SubJobRow[] {
  const status = ctx.query.get('status') || undefined;
  const jobId = ctx.query.get('job_id') || undefined;
  return ctx.store
    .list('appStreaming', ctx.projectId)
    .filter((job) => jobId === undefined || job.id === jobId)
    .flatMap((job) => job.subJobs.map((sub) => ({ job, sub })))
    .filter(({ sub }) => status === undefined || sub.status === status)
    .filter(({ sub }) => jobTypes.length === 0 || jobTypes.includes(sub.jobType));
}

function listSubJobs(ctx: RouteContext): SimResponse {
  const { query } = ctx;
  const jobType = query.get('job_type');
  const limit = intParam(query, 'limit', 1, 100, 10);
  const offset = intParam(query, 'offset', 0, 2147483647, 0);
  const invalid =
    jobType === null ||
    !LIST_JOB_TYPE.test(jobType) ||
    !STATUS.test(query.get('status') ?? '') ||
    (query.get('job_id') ?? '').length > 128 ||
    limit === INVALID ||
    offset === INVALID;
  if (invalid) return serviceErrorFor('appStreaming', 400, ctx.requestId);
  // `sub_job_ids` appears only in description text (docs/upstream.md#app-streaming, docs/upstream.md#open-questions): accepted and ignored.
  const matches = matchingSubJobs(ctx, jobType === '' ? [] : [jobType]);
  // `count` is the total of all matches (GO: "total"), not the inconsistent doc example's 0.
  return json(200, {
    count: matches.length,
    items: page(matches, offset, limit).map(({ job, sub }) => renderSubJobItem(job, sub, job.subJobShape)),
  });
}

function countSubJobs(ctx: RouteContext): SimResponse {
  const { query } = ctx;
  const jobTypes = (query.get('job_type') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const invalid =
    jobTypes.some((t) => !JOB_TYPES.has(t)) ||
    (query.get('job_type') ?? '').length > 256 ||
    !STATUS.test(query.get('status') ?? '') ||
    (query.get('job_id') ?? '').length > 128;
  if (invalid) return serviceErrorFor('appStreaming', 400, ctx.requestId);
  return json(200, { count: matchingSubJobs(ctx, jobTypes).length });
}

export const appStreamingRoutes: readonly RouteDef[] = [
  { id: 'appStreaming.showJobV1', service: 'appStreaming', path: '/v1/{project_id}/job/{job_id}', handle: showJobV1 },
  { id: 'appStreaming.showJobV2', service: 'appStreaming', path: '/v2/{project_id}/job/{job_id}', handle: showJobV2 },
  {
    id: 'appStreaming.listSubJobs',
    service: 'appStreaming',
    path: '/v1/{project_id}/app-server-sub-jobs',
    handle: listSubJobs,
  },
  {
    id: 'appStreaming.countSubJobs',
    service: 'appStreaming',
    path: '/v1/{project_id}/app-server-sub-jobs/actions/count',
    handle: countSubJobs,
  },
];
