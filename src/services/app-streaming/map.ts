/**
 * Pure mappers from raw Workspace Application Streaming bodies to our model (docs/upstream.md#app-streaming, docs/upstream.md#statuses; docs/architecture.md#mapping).
 */
import type {
  AppServerModel,
  AppStreamingJobModel,
  AppStreamingSubJobModel,
  JobLocation,
  ResourceModel,
  SubJobPageModel,
} from '../../model/job.js';
import { jobError, uniqueEntities, nonEmpty, parseUpstreamTime } from '../../model/normalize.js';
import { progressOf, statusTable, type UnknownStatusReport } from '../../model/status.js';
import type {
  AppStreamingJobRaw,
  AppStreamingSubJobCountRaw,
  AppStreamingSubJobItemRaw,
  AppStreamingSubJobListRaw,
  AppStreamingV1SubJobRaw,
  JobResourceInfoRaw,
  RelativeResourceRaw,
} from './raw.js';

const SERVICE = 'APP_STREAMING' as const;

/** v1 `job_status` of a job or a `SubJobInfo`: 3 initializing, 2 processing, 1 succeeded, 0 failed. */
export const appStreamingJobState = statusTable<number>(SERVICE, { '3': 'PENDING', '2': 'RUNNING', '1': 'SUCCEEDED', '0': 'FAILED' });

/**
 * ListSubJobs item `status` (JobDetailStatus), matched ignoring case and surrounding blanks. ABNORMAL is a
 * failure (terminal); ROLLBACK and ABORTING are still in progress (not terminal).
 */
export const appStreamingSubJobState = statusTable<string>(
  SERVICE,
  {
    WAITING: 'PENDING',
    RUNNING: 'RUNNING',
    SUCCESS: 'SUCCEEDED',
    FAILED: 'FAILED',
    ABNORMAL: 'FAILED',
    ROLLBACK: 'ROLLING_BACK',
    ABORTING: 'CANCELLING',
  },
  (status) => status.trim().toUpperCase(),
);

/** De-duplicates by id; the first occurrence wins. */
function uniqueResources(resources: readonly ResourceModel[]): ResourceModel[] {
  const seen = new Set<string>();
  return resources.filter((resource) => {
    if (seen.has(resource.id)) return false;
    seen.add(resource.id);
    return true;
  });
}

const jobTypeText = (value: number | string | null | undefined): string | null => nonEmpty(value);

/** A `RelativeResource` from `main_resources`: listed there, so it is a main resource. */
function mapRelativeResource(raw: RelativeResourceRaw): ResourceModel | null {
  const id = nonEmpty(raw.relative_resource_id);
  if (id === null) return null;
  return {
    id,
    name: nonEmpty(raw.relative_resource_name),
    cloudServiceType: nonEmpty(raw.relative_cloud_service_type),
    resourceType: nonEmpty(raw.relative_resource_type),
    isMain: true,
    related: [],
  };
}

function mapResource(raw: JobResourceInfoRaw): ResourceModel | null {
  const id = nonEmpty(raw.resource_id);
  if (id === null) return null;
  const related = (raw.main_resources ?? []).flatMap((r) => {
    const mapped = r ? mapRelativeResource(r) : null;
    return mapped ? [mapped] : [];
  });
  return {
    id,
    name: nonEmpty(raw.resource_name),
    cloudServiceType: nonEmpty(raw.cloud_service_type),
    resourceType: nonEmpty(raw.resource_type),
    isMain: raw.is_main_resource === 1 ? true : raw.is_main_resource === 0 ? false : null,
    related: uniqueResources(related),
  };
}

/** A JobResourceInfo names an app server when it is the main resource, or when upstream does not say. */
function appServerOf(raw: JobResourceInfoRaw): AppServerModel | null {
  const id = nonEmpty(raw.resource_id);
  if (id === null) return null;
  const flag = raw.is_main_resource;
  if (flag !== undefined && flag !== null && flag !== 1) return null;
  return { kind: 'AppServer', id, name: nonEmpty(raw.resource_name) };
}

/**
 * One v1 `SubJobInfo`. Its `job_id` is its own id, so the parent is passed in. It has no `project_id`: it lives
 * in the parent's project, given as `projectId`. Error only when it failed.
 */
export function mapAppStreamingV1SubJob(
  raw: AppStreamingV1SubJobRaw,
  parentJobId: string,
  projectId: string | null,
  report: UnknownStatusReport,
): AppStreamingSubJobModel {
  const { state, terminal } = appStreamingJobState(raw.job_status, report);
  const infos = (raw.entities ?? []).flatMap((e) => (e ? [e] : []));
  const resources = uniqueResources(infos.flatMap((e) => mapResource(e) ?? []));
  const entities = uniqueEntities(infos.flatMap((e) => appServerOf(e) ?? []));
  return {
    kind: 'AppStreamingSubJob',
    id: raw.job_id,
    parentJobId,
    jobType: jobTypeText(raw.job_type),
    state,
    rawStatus: String(raw.job_status),
    terminal,
    progress: progressOf(state),
    startedAt: parseUpstreamTime(raw.begin_time),
    finishedAt: parseUpstreamTime(raw.end_time),
    error: state === 'FAILED' ? jobError(raw.execute_code, raw.execute_message) : null,
    entities,
    resources,
    projectId: nonEmpty(projectId),
    expectedEndTime: parseUpstreamTime(raw.expected_end_time),
  };
}

/**
 * v1 ShowJob body. `error` comes from `execute_code`/`execute_message` only when the job failed; a failed job
 * that gives no reason of its own borrows the first failed sub-job's (as for Workspace).
 */
export function mapAppStreamingJob(raw: AppStreamingJobRaw, loc: JobLocation, report: UnknownStatusReport): AppStreamingJobModel {
  const job = raw.job;
  const { state, terminal } = appStreamingJobState(job.job_status, report);
  const subJobs = (job.sub_jobs ?? []).map((s) => mapAppStreamingV1SubJob(s, job.job_id, loc.projectId, report));
  let error = state === 'FAILED' ? jobError(job.execute_code, job.execute_message) : null;
  if (error === null && state === 'FAILED') {
    const culprit = subJobs.find((s) => s.state === 'FAILED' && s.error !== null)?.error;
    error = culprit ? { ...culprit } : null;
  }
  return {
    kind: 'AppStreamingJob',
    service: 'APP_STREAMING',
    region: loc.region,
    projectId: loc.projectId,
    jobId: job.job_id,
    jobType: jobTypeText(job.job_type),
    state,
    rawStatus: String(job.job_status),
    terminal,
    progress: progressOf(state),
    startedAt: parseUpstreamTime(job.begin_time),
    finishedAt: parseUpstreamTime(job.end_time),
    error,
    expectedEndTime: parseUpstreamTime(job.expected_end_time),
    executeCode: nonEmpty(job.execute_code),
    executeMessage: nonEmpty(job.execute_message),
    subJobs,
    entities: uniqueEntities(subJobs.flatMap((s) => s.entities)),
  };
}

/**
 * One ListSubJobs item, either shape. Its `job_resource_info` gives its resource and app server as a v1
 * sub-job's `entities` do, so both views of a sub-job agree. The error is read field by field from the flat `error_code` /
 * `error_message` first, then from the nested `job_execute_info`; it is reported whatever the status (the
 * official example is a WAITING item carrying an error code).
 */
export function mapAppStreamingSubJob(item: AppStreamingSubJobItemRaw, report: UnknownStatusReport): AppStreamingSubJobModel {
  const { state, terminal } = appStreamingSubJobState(item.status, report);
  const nested = item.job_execute_info;
  const info = item.job_resource_info;
  const resource = info ? mapResource(info) : null;
  const server = info ? appServerOf(info) : null;
  return {
    kind: 'AppStreamingSubJob',
    id: item.id,
    parentJobId: nonEmpty(item.job_id),
    jobType: nonEmpty(item.job_type),
    state,
    rawStatus: item.status,
    terminal,
    progress: progressOf(state),
    startedAt: parseUpstreamTime(item.begin_time),
    finishedAt: parseUpstreamTime(item.end_time),
    error: jobError(
      nonEmpty(item.error_code) ?? nonEmpty(nested?.error_code),
      nonEmpty(item.error_message) ?? nonEmpty(nested?.error_message),
    ),
    entities: server ? [server] : [],
    resources: resource ? [resource] : [],
    projectId: nonEmpty(item.project_id),
    expectedEndTime: null,
  };
}

/**
 * ListSubJobs body. `totalCount` is upstream's `count`, but never less than the items on the page (the
 * official example says `count: 0` next to one item).
 */
export function mapAppStreamingSubJobPage(raw: AppStreamingSubJobListRaw, report: UnknownStatusReport): SubJobPageModel {
  const items = raw.items.map((item) => mapAppStreamingSubJob(item, report));
  return { totalCount: Math.max(raw.count ?? 0, items.length), items };
}

/** CountSubJobs body. */
export function mapAppStreamingSubJobCount(raw: AppStreamingSubJobCountRaw): number {
  return raw.count;
}
