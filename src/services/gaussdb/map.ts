/**
 * Pure mappers from raw GaussDB(for MySQL) bodies to our model (docs/upstream.md#gaussdb, docs/upstream.md#statuses; docs/architecture.md#mapping).
 */
import type {
  DatabaseInstanceModel,
  GaussDBJobModel,
  JobLocation,
  ResourceModel,
} from '../../model/job.js';
import { jobError, nonEmpty, parseProgress, parseUpstreamTime } from '../../model/normalize.js';
import { progressOf, statusTable, type UnknownStatusReport } from '../../model/status.js';
import type {
  GaussDbEntitiesInstanceRaw,
  GaussDbJobInstanceRaw,
  GaussDbJobRaw,
} from './raw.js';

const SERVICE = 'GAUSSDB_MYSQL' as const;

/** `Pending`, `Running`, `Completed`, `Failed`, matched ignoring case and surrounding blanks. */
export const gaussDbState = statusTable<string>(
  SERVICE,
  { pending: 'PENDING', running: 'RUNNING', completed: 'SUCCEEDED', failed: 'FAILED' },
  (status) => status.trim().toLowerCase(),
);

/**
 * `job.instance{id,name}` merged with `entities.instance{endpoint,type,datastore}`. The details are merged only
 * when `entities.instance` names no id or the same id, so two different instances are never blended.
 */
function mapInstance(
  own: GaussDbJobInstanceRaw | null | undefined,
  detail: GaussDbEntitiesInstanceRaw | null | undefined,
): DatabaseInstanceModel | null {
  const ownId = nonEmpty(own?.id);
  const detailId = nonEmpty(detail?.id);
  const id = ownId ?? detailId;
  if (id === null) return null;
  const d = detailId === null || detailId === id ? detail : undefined;
  return {
    kind: 'DatabaseInstance',
    id,
    name: nonEmpty(own?.name) ?? nonEmpty(d?.name),
    endpoint: nonEmpty(d?.endpoint),
    type: nonEmpty(d?.type),
    datastoreType: nonEmpty(d?.datastore?.type),
    datastoreVersion: nonEmpty(d?.datastore?.version),
  };
}

/** `entities.resource_ids[]` → bare resources (upstream gives only the id), de-duplicated. */
function mapResourceIds(ids: readonly (string | null | undefined)[] | null | undefined): ResourceModel[] {
  const seen = new Set<string>();
  const resources: ResourceModel[] = [];
  for (const value of ids ?? []) {
    const id = nonEmpty(value);
    if (id === null || seen.has(id)) continue;
    seen.add(id);
    resources.push({ id, name: null, cloudServiceType: null, resourceType: null, isMain: null, related: [] });
  }
  return resources;
}

/** ShowGaussMySqlJobInfo body. */
export function mapGaussDbJob(raw: GaussDbJobRaw, loc: JobLocation, report: UnknownStatusReport): GaussDBJobModel {
  const job = raw.job;
  const { state, terminal } = gaussDbState(job.status, report);
  const instance = mapInstance(job.instance, job.entities?.instance);
  return {
    kind: 'GaussDBJob',
    service: 'GAUSSDB_MYSQL',
    region: loc.region,
    projectId: loc.projectId,
    jobId: job.id,
    jobType: nonEmpty(job.name),
    state,
    rawStatus: job.status,
    terminal,
    progress: progressOf(state, parseProgress(job.process)),
    startedAt: parseUpstreamTime(job.created),
    finishedAt: parseUpstreamTime(job.ended),
    error: jobError(null, job.fail_reason),
    instance,
    resources: mapResourceIds(job.entities?.resource_ids),
    subJobs: [],
    entities: instance ? [instance] : [],
  };
}
