/**
 * Job models as JSON text and back, for what crosses process boundaries (Redis): dates travel as ISO-8601 strings
 * and come back as `Date`s, so a model read from Redis is indistinguishable from one fetched here.
 */
import type { JobModel } from './job.js';

const DATE_FIELDS: ReadonlySet<string> = new Set(['startedAt', 'finishedAt', 'expectedEndTime']);

export function serializeJob(job: JobModel): string {
  return JSON.stringify(job);
}

/** A `JSON.parse` reviver that turns a job's date fields (at any depth) back into `Date`s. */
export function reviveJobDates(key: string, value: unknown): unknown {
  return DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value;
}

/** Only for text written by `serializeJob` (here or on another replica), hence the cast. */
export function deserializeJob(text: string): JobModel {
  return JSON.parse(text, reviveJobDates) as JobModel;
}
