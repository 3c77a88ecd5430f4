/**
 * What the loaders need from the four upstream clients. Each service folder implements its part; the loaders
 * only see this interface, so batching rules live in one place and the clients stay one-call-per-method.
 */
import type { Credential } from '../auth/credentials.js';
import type { JobRef } from '../model/job-ref.js';
import type {
  AppStreamingJobModel,
  CloudPhoneJobModel,
  GaussDBJobModel,
  JobLocation,
  SubJobPageModel,
  WorkspaceJobModel,
} from '../model/job.js';

export interface WorkspaceSubJobQuery {
  jobId?: string | null;
  jobType?: string | null;
  status?: string | null;
  offset: number;
  limit: number;
}

export interface AppStreamingSubJobQuery {
  jobType: string;
  status?: string | null;
  jobId?: string | null;
  offset: number;
  limit: number;
}

export interface ServiceClients {
  workspace: {
    showJob(ref: JobRef, credential: Credential): Promise<WorkspaceJobModel | null>;
    listSubJobs(query: WorkspaceSubJobQuery, location: JobLocation, credential: Credential): Promise<SubJobPageModel>;
  };
  appStreaming: {
    showJob(ref: JobRef, credential: Credential): Promise<AppStreamingJobModel | null>;
    listSubJobs(query: AppStreamingSubJobQuery, location: JobLocation, credential: Credential): Promise<SubJobPageModel>;
  };
  gaussDb: {
    showJob(ref: JobRef, credential: Credential): Promise<GaussDBJobModel | null>;
  };
  cloudPhone: {
    showJob(ref: JobRef, credential: Credential): Promise<CloudPhoneJobModel | null>;
    /** One `ListJobs?request_ids=` call (all pages of it) for at most 20 request ids. */
    listJobs(requestIds: readonly string[], location: JobLocation, credential: Credential): Promise<CloudPhoneJobModel[]>;
  };
}

/** Upstream's limit on `request_ids` per ListJobs call (docs/upstream.md#cloud-phone). */
export const CLOUD_PHONE_REQUEST_IDS_PER_CALL = 20;
