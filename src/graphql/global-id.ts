/**
 * Global job ids: opaque, stable and URL-safe (base64url of a versioned tuple), carrying everything needed to
 * fetch the job again, so `jobById` and `_entities` need nothing else.
 */
import { badUserInput } from '../errors.js';
import { CLOUD_SERVICES, type CloudService } from '../model/job.js';
import type { JobRef } from '../model/job-ref.js';


const VERSION = 'j1';

/** A global id carries a job's identity without the Cloud Phone request id. */
export function encodeJobId(id: Omit<JobRef, 'requestId'>): string {
  return Buffer.from(JSON.stringify([VERSION, id.service, id.region, id.projectId, id.jobId]), 'utf8').toString('base64url');
}

/** Decodes a global id; any malformed input is BAD_USER_INPUT. */
export function decodeJobId(text: string): Omit<JobRef, 'requestId'> {
  let parts: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('not base64url');
    parts = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badUserInput('Malformed job id');
  }
  if (
    !Array.isArray(parts) ||
    parts.length !== 5 ||
    parts[0] !== VERSION ||
    !CLOUD_SERVICES.includes(parts[1]) ||
    parts.slice(2).some((p) => typeof p !== 'string' || p === '')
  ) {
    throw badUserInput('Malformed job id');
  }
  // Cast: the checks above proved the tuple's shape, which TypeScript cannot follow through `some`/`includes`.
  const [, service, region, projectId, jobId] = parts as [string, CloudService, string, string, string];
  return { service, region, projectId, jobId };
}
