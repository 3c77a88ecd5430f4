/**
 * Per-operation DataLoaders. Keys carry (service, region, project, job, credential fingerprint), so one
 * operation makes at most one upstream call per distinct job however often it appears (docs/architecture.md#one-call-per-job), and
 * nothing fetched with one credential can be served to another.
 *
 * Batch functions honor the DataLoader contract: same length, same order, an Error in place of a failed item.
 * Cloud Phone refs carrying a requestId share `ListJobs?request_ids=` calls (≤ 20 ids each), matched by job_id;
 * every other job is one call, with bounded concurrency.
 */
import DataLoader from 'dataloader';
import pLimit from 'p-limit';
import type { Credential } from '../auth/credentials.js';
import { toGraphQLError } from '../errors.js';
import type { CloudPhoneJobModel, JobLocation, JobModel, SubJobPageModel } from '../model/job.js';
import { credentialJobKey, type JobRef } from '../model/job-ref.js';
import {
  CLOUD_PHONE_REQUEST_IDS_PER_CALL,
  type AppStreamingSubJobQuery,
  type ServiceClients,
  type WorkspaceSubJobQuery,
} from '../services/clients.js';
import type { Metrics } from '../observability/metrics.js';
import type { JobObservations } from './observations.js';
import type { TerminalJobCache } from './terminal-cache.js';

export interface RequestIdKey extends JobLocation {
  requestId: string;
}

/** The jobs one batched ListJobs call returned, and the request ids it asked for. */
export interface CloudPhoneBatch {
  requestIds: readonly string[];
  jobs: readonly CloudPhoneJobModel[];
}

export interface Loaders {
  job: DataLoader<JobRef, JobModel | null, string>;
  cloudPhoneBatch: DataLoader<RequestIdKey, CloudPhoneBatch, string>;
  workspaceSubJobs: DataLoader<{ query: WorkspaceSubJobQuery; location: JobLocation }, SubJobPageModel, string>;
  appStreamingSubJobs: DataLoader<{ query: AppStreamingSubJobQuery; location: JobLocation }, SubJobPageModel, string>;
}

export interface LoaderDeps {
  clients: ServiceClients;
  credential: Credential;
  /** Upstream calls one operation may have in flight. */
  concurrency: number;
  metrics?: Metrics;
  /** Shared across operations and pollers; absent means no caching. */
  terminalCache?: TerminalJobCache;
  /** Reads in flight and recent observations of running jobs, shared across operations and pollers. */
  observations?: JobObservations<CloudPhoneBatch>;
  /** Skip the freshness window (pollers): always a new observation, though one in flight is shared. */
  fresh?: boolean;
}

const locationKey = (l: JobLocation) => `${l.region}|${l.projectId}`;

/** Runs `fn` for each item, turning a rejection into a GraphQL error in that item's place. */
async function settle<K, V>(keys: readonly K[], fn: (key: K) => Promise<V>): Promise<Array<V | Error>> {
  const results = await Promise.allSettled(keys.map(fn));
  return results.map((r) => (r.status === 'fulfilled' ? r.value : toGraphQLError(r.reason)));
}

export function createLoaders({ clients, credential, concurrency, metrics, terminalCache, observations, fresh = false }: LoaderDeps): Loaders {
  const limit = pLimit(concurrency);
  const batchSize = (loader: string, size: number) => metrics?.loaderBatchSize.observe({ loader }, size);
  const fp = credential.fingerprint;
  const batchKey = (k: RequestIdKey) => `${locationKey(k)}|${k.requestId}|${fp}`;

  const cloudPhoneBatch = new DataLoader<RequestIdKey, CloudPhoneBatch, string>(
    async (keys) => {
      batchSize('cloudPhoneBatch', keys.length);
      // A request id already asked by a call in flight (another operation's, a poller's) shares that call.
      const joined = new Map<string, Promise<CloudPhoneBatch>>();
      for (const key of keys) {
        const running = observations?.batches.get(batchKey(key));
        if (running) joined.set(batchKey(key), running);
      }
      // One call per ≤ 20 distinct request ids of the same region and project.
      const chunks = new Map<string, { location: JobLocation; requestIds: string[] }[]>();
      const chunkOf = new Map<string, { location: JobLocation; requestIds: string[] }>();
      for (const key of keys) {
        if (joined.has(batchKey(key))) continue;
        const lk = locationKey(key);
        const list = chunks.get(lk) ?? [];
        chunks.set(lk, list);
        let chunk = list[list.length - 1];
        if (!chunk || chunk.requestIds.length >= CLOUD_PHONE_REQUEST_IDS_PER_CALL) {
          chunk = { location: { region: key.region, projectId: key.projectId }, requestIds: [] };
          list.push(chunk);
        }
        if (!chunk.requestIds.includes(key.requestId)) chunk.requestIds.push(key.requestId);
        chunkOf.set(batchKey(key), chunk);
      }
      const calls = new Map<object, Promise<CloudPhoneBatch>>();
      for (const list of chunks.values()) {
        for (const chunk of list) {
          const call = limit(() => clients.cloudPhone.listJobs(chunk.requestIds, chunk.location, credential)).then((jobs) => ({
            requestIds: chunk.requestIds,
            jobs,
          }));
          calls.set(chunk, call);
          observations?.batches.track(chunk.requestIds.map((requestId) => batchKey({ ...chunk.location, requestId })), call);
        }
      }
      return settle(keys, (key) => joined.get(batchKey(key)) ?? calls.get(chunkOf.get(batchKey(key))!)!);
    },
    { cacheKeyFn: batchKey, maxBatchSize: 1000 },
  );

  async function loadJob(key: JobRef): Promise<JobModel | null> {
    const cached = await terminalCache?.get(fp, key);
    if (cached) return cached;
    const job = observations ? await observations.read(credentialJobKey(key, fp), () => fetchJob(key), fresh) : await fetchJob(key);
    terminalCache?.offer(fp, job);
    return job;
  }

  async function fetchJob(key: JobRef): Promise<JobModel | null> {
    switch (key.service) {
      case 'WORKSPACE':
        return limit(() => clients.workspace.showJob(key, credential));
      case 'APP_STREAMING':
        return limit(() => clients.appStreaming.showJob(key, credential));
      case 'GAUSSDB_MYSQL':
        return limit(() => clients.gaussDb.showJob(key, credential));
      case 'CLOUD_PHONE': {
        if (key.requestId !== null) {
          const batch = await cloudPhoneBatch.load({ region: key.region, projectId: key.projectId, requestId: key.requestId });
          const found = batch.jobs.find((j) => j.jobId === key.jobId);
          // The documented items carry no request_id: match by job_id, never by position.
          if (found) return { ...found, requestId: found.requestId ?? key.requestId };
          // A ref whose requestId does not list the job still names a job that may exist: ask for it directly.
        }
        return limit(() => clients.cloudPhone.showJob(key, credential));
      }
    }
  }

  const job = new DataLoader<JobRef, JobModel | null, string>((keys) => {
    batchSize('job', keys.length);
    return settle(keys, loadJob);
  }, {
    cacheKeyFn: (k) => credentialJobKey(k, fp),
    maxBatchSize: 1000,
  });

  const workspaceSubJobs = new DataLoader<{ query: WorkspaceSubJobQuery; location: JobLocation }, SubJobPageModel, string>(
    (keys) => settle(keys, ({ query, location }) => limit(() => clients.workspace.listSubJobs(query, location, credential))),
    { cacheKeyFn: (k) => JSON.stringify([k.location, k.query, fp]) },
  );
  const appStreamingSubJobs = new DataLoader<{ query: AppStreamingSubJobQuery; location: JobLocation }, SubJobPageModel, string>(
    (keys) => settle(keys, ({ query, location }) => limit(() => clients.appStreaming.listSubJobs(query, location, credential))),
    { cacheKeyFn: (k) => JSON.stringify([k.location, k.query, fp]) },
  );

  return { job, cloudPhoneBatch, workspaceSubJobs, appStreamingSubJobs };
}
