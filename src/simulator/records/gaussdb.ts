/** GaussDB(for MySQL) / TaurusDB task records (docs/upstream.md#gaussdb): one record feeds `jobs?id=` and `immediate-jobs`. */
import {
  asBoolean,
  asInstant,
  asNullableNumber,
  asNullableString,
  asString,
  isRaw,
  type Instant,
  type Raw,
} from './coerce.js';
import type { RecordIdentity } from './identity.js';

export type GaussDbJobStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | (string & {});

export interface GaussDbInstanceRef {
  id: string;
  name: string;
}

export interface GaussDbJob extends RecordIdentity {
  /** Task name (`name` in ShowJob, `job_name` in the list), e.g. CreateGaussDBforMySQLInstance. */
  name: string;
  status: GaussDbJobStatus;
  created: Instant;
  ended: Instant;
  /** 0..100; rendered `"NN%"` only while Running, `""` otherwise (docs/upstream.md#gaussdb). */
  process: number | null;
  instance: GaussDbInstanceRef;
  /** createfail, creating, normal, abnormal or deleted (list view only). */
  instanceStatus: string;
  /** Free-form and task-dependent (e.g. `instance{endpoint,type,datastore}`, `resource_ids`); rendered verbatim. */
  entities: Record<string, unknown> | null;
  failReason: string | null;
  orderId: string;
  showDetail: boolean;
}

const TERMINAL = new Set(['Completed', 'Failed']);

export function normalizeGaussDbJob(raw: Raw, identity: RecordIdentity): GaussDbJob {
  const instance = isRaw(raw.instance) ? raw.instance : {};
  return {
    ...identity,
    name: asString(raw.name, 'CreateGaussDBforMySQLInstance'),
    status: asString(raw.status, 'Pending'),
    created: asInstant(raw.created, identity.createdAt),
    ended: asInstant(raw.ended, null),
    process: asNullableNumber(raw.process),
    instance: { id: asString(instance.id, ''), name: asString(instance.name, '') },
    instanceStatus: asString(raw.instanceStatus, 'normal'),
    entities: raw.entities === null ? null : isRaw(raw.entities) ? raw.entities : null,
    failReason: asNullableString(raw.failReason),
    orderId: asString(raw.orderId, ''),
    showDetail: asBoolean(raw.showDetail, false),
  };
}

export function stampGaussDbJob(job: GaussDbJob, at: number): void {
  if (TERMINAL.has(job.status) && job.ended === null) job.ended = at;
}
