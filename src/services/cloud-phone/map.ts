/**
 * Pure mappers from raw Cloud Phone bodies to our model (docs/upstream.md#cloud-phone, docs/upstream.md#statuses; docs/architecture.md#mapping, docs/architecture.md#one-call-per-job).
 */
import type {
  CloudPhoneJobModel,
  CloudPhoneModel,
  CloudPhoneServerModel,
  EntityModel,
  JobLocation,
} from '../../model/job.js';
import { jobError, nonEmpty, parseUpstreamTime } from '../../model/normalize.js';
import { progressOf, statusTable, type UnknownStatusReport } from '../../model/status.js';
import type { CloudPhoneJobListRaw, CloudPhoneJobRaw } from './raw.js';

const SERVICE = 'CLOUD_PHONE' as const;

/** `1` running, `2` success, `-1` failure; no pending, cancel or rollback value is documented. */
export const cloudPhoneState = statusTable<number>(SERVICE, { '1': 'RUNNING', '2': 'SUCCEEDED', '-1': 'FAILED' });

/**
 * A ShowJob body or one ListJobs item. `requestId` is the body's own `request_id` when it has one (ShowJob),
 * else the argument (the request the caller knows the job belongs to). The server is `server_id`, else the
 * deprecated `node_id`.
 */
export function mapCloudPhoneJob(
  raw: CloudPhoneJobRaw,
  loc: JobLocation,
  requestId: string | null | undefined,
  report: UnknownStatusReport,
): CloudPhoneJobModel {
  const { state, terminal } = cloudPhoneState(raw.status, report);
  const phoneId = nonEmpty(raw.phone_id);
  const serverId = nonEmpty(raw.server_id) ?? nonEmpty(raw.node_id);
  const phone: CloudPhoneModel | null = phoneId === null ? null : { kind: 'CloudPhone', id: phoneId };
  const server: CloudPhoneServerModel | null = serverId === null ? null : { kind: 'CloudPhoneServer', id: serverId };
  const entities: EntityModel[] = [];
  if (phone) entities.push(phone);
  if (server) entities.push(server);
  return {
    kind: 'CloudPhoneJob',
    service: 'CLOUD_PHONE',
    region: loc.region,
    projectId: loc.projectId,
    jobId: raw.job_id,
    jobType: null,
    state,
    rawStatus: String(raw.status),
    terminal,
    progress: progressOf(state),
    startedAt: parseUpstreamTime(raw.begin_time),
    finishedAt: parseUpstreamTime(raw.end_time),
    error: jobError(raw.error_code, raw.error_msg),
    requestId: nonEmpty(raw.request_id) ?? nonEmpty(requestId),
    executeMessage: nonEmpty(raw.execute_msg),
    phone,
    server,
    subJobs: [],
    entities,
  };
}

/**
 * A ListJobs body, in upstream order (callers match by `jobId`, docs/architecture.md#one-call-per-job). The body's top-level
 * `request_id` is deliberately not spread onto the items: with `request_ids=a,b,…` it cannot say which request
 * an item belongs to (docs/upstream.md#open-questions). Pass `requestId` when the call asked for a single request id.
 */
export function mapCloudPhoneJobList(
  raw: CloudPhoneJobListRaw,
  loc: JobLocation,
  requestId: string | null | undefined,
  report: UnknownStatusReport,
): CloudPhoneJobModel[] {
  return raw.jobs.map((item) => mapCloudPhoneJob(item, loc, requestId, report));
}
