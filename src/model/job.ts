/**
 * Our own model of a cloud job, independent of any upstream dialect. Every service mapper produces these;
 * resolvers read them (codegen `mappers` point the GraphQL types here), so no resolver ever sees raw JSON.
 */

export const CLOUD_SERVICES = ['WORKSPACE', 'APP_STREAMING', 'GAUSSDB_MYSQL', 'CLOUD_PHONE'] as const;
export type CloudService = (typeof CLOUD_SERVICES)[number];

export const JOB_STATES = ['PENDING', 'RUNNING', 'ROLLING_BACK', 'CANCELLING', 'SUCCEEDED', 'FAILED', 'UNKNOWN'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobErrorModel {
  code: string | null;
  message: string | null;
}

/** The things a job acts on. `kind` is the GraphQL type name of the `Entity` union member. */
export type EntityModel =
  | DesktopModel
  | AppServerModel
  | DatabaseInstanceModel
  | CloudPhoneModel
  | CloudPhoneServerModel;

export interface DesktopModel {
  kind: 'Desktop';
  id: string;
  name: string | null;
  productId: string | null;
  userName: string | null;
  ipAddress: string | null;
}

export interface AppServerModel {
  kind: 'AppServer';
  id: string;
  name: string | null;
}

export interface DatabaseInstanceModel {
  kind: 'DatabaseInstance';
  id: string;
  name: string | null;
  endpoint: string | null;
  /** e.g. "Cluster" */
  type: string | null;
  datastoreType: string | null;
  datastoreVersion: string | null;
}

export interface CloudPhoneModel {
  kind: 'CloudPhone';
  id: string;
}

export interface CloudPhoneServerModel {
  kind: 'CloudPhoneServer';
  id: string;
}

/** A billing/order resource (App Streaming `JobResourceInfo`, GaussDB `resource_ids`). */
export interface ResourceModel {
  id: string;
  name: string | null;
  cloudServiceType: string | null;
  resourceType: string | null;
  isMain: boolean | null;
  related: ResourceModel[];
}

/** Fields every job and sub-job shares once normalized. */
export interface StatusModel {
  state: JobState;
  /** Upstream status verbatim, as text ("SUCCESS", "Running", "-1", "2"). */
  rawStatus: string;
  terminal: boolean;
  /** 0..100 where upstream tells it. */
  progress: number | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: JobErrorModel | null;
}

export interface SubJobBase extends StatusModel {
  /** Upstream sub-job id, verbatim. */
  id: string;
  parentJobId: string | null;
  jobType: string | null;
  entities: EntityModel[];
  resources: ResourceModel[];
}

export interface WorkspaceSubJobModel extends SubJobBase {
  kind: 'WorkspaceSubJob';
  host: string | null;
  attachUser: string | null;
}

export interface AppStreamingSubJobModel extends SubJobBase {
  kind: 'AppStreamingSubJob';
  projectId: string | null;
  expectedEndTime: Date | null;
}

export type SubJobModel = WorkspaceSubJobModel | AppStreamingSubJobModel;

/** Where a job lives: together with `service` and `jobId` this is enough to fetch it again. */
export interface JobLocation {
  region: string;
  projectId: string;
}

export interface JobBase extends StatusModel, JobLocation {
  service: CloudService;
  jobId: string;
  jobType: string | null;
  subJobs: SubJobModel[];
  entities: EntityModel[];
}

export interface WorkspaceJobModel extends JobBase {
  kind: 'WorkspaceJob';
  service: 'WORKSPACE';
  subJobsTotal: number | null;
  subJobs: WorkspaceSubJobModel[];
}

export interface AppStreamingJobModel extends JobBase {
  kind: 'AppStreamingJob';
  service: 'APP_STREAMING';
  expectedEndTime: Date | null;
  executeCode: string | null;
  executeMessage: string | null;
  subJobs: AppStreamingSubJobModel[];
}

export interface GaussDBJobModel extends JobBase {
  kind: 'GaussDBJob';
  service: 'GAUSSDB_MYSQL';
  instance: DatabaseInstanceModel | null;
  resources: ResourceModel[];
  subJobs: [];
}

export interface CloudPhoneJobModel extends JobBase {
  kind: 'CloudPhoneJob';
  service: 'CLOUD_PHONE';
  requestId: string | null;
  executeMessage: string | null;
  phone: CloudPhoneModel | null;
  server: CloudPhoneServerModel | null;
  subJobs: [];
}

export type JobModel = WorkspaceJobModel | AppStreamingJobModel | GaussDBJobModel | CloudPhoneJobModel;

export interface SubJobPageModel {
  totalCount: number;
  items: SubJobModel[];
}
