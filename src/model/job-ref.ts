/**
 * A job's identity, and every key built from it. Loaders, pollers, the cluster, the caches and the operation
 * limits all name a job the same way, so a job is the same job wherever it is looked up.
 */
import type { CloudService, JobLocation } from './job.js';

/** A validated reference to one job (graphql/validation.ts makes them from client input). */
export interface JobRef extends JobLocation {
  service: CloudService;
  jobId: string;
  /** Cloud Phone only: the request the job belongs to, when known, so polls can share batched ListJobs calls. */
  requestId: string | null;
}

/**
 * A Cloud Phone request id as ListJobs takes it: exactly 32 characters (docs/upstream.md#cloud-phone). Ids travel
 * in a comma-separated list, so only letters, digits and "-" are allowed (a comma would split one).
 */
export function isRequestId(value: string): boolean {
  return /^[A-Za-z0-9-]{32}$/.test(value);
}

/** What a key is made of: a ref without the request id (a job model has these fields too). */
type JobIdentity = Pick<JobRef, 'region' | 'projectId' | 'jobId'> & { service: string };

/**
 * `service|region|project|job`. Service is an enum and region and project are validated not to hold `|`; the
 * job id, the one free text, comes last, so two jobs never share a key.
 */
export function jobKey(job: JobIdentity): string {
  return `${job.service}|${job.region}|${job.projectId}|${job.jobId}`;
}

/**
 * The job key with the credential's fingerprint: what was fetched with one credential is never served to another.
 * The same on every replica, and never a secret, so it also names a job in Redis.
 */
export function credentialJobKey(job: JobIdentity, fingerprint: string): string {
  return `${jobKey(job)}|${fingerprint}`;
}
