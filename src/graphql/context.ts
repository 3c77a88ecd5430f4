import type { GraphQLResolveInfo } from 'graphql';
import type { Credential } from '../auth/credentials.js';
import { unauthenticated } from '../errors.js';
import type { Loaders } from '../loaders/index.js';
import type { PollerRegistry } from '../polling/registry.js';
import type { JobModel } from '../model/job.js';
import { credentialJobKey } from '../model/job-ref.js';
import type { EndpointResolver } from '../upstream/endpoints.js';
import type { PendingEntry } from './response-cache.js';
import type { Defaults } from './validation.js';

/** What every resolver receives; built anew for each operation. */
export interface GraphQLContext {
  credential: Credential | null;
  defaults: Defaults;
  endpoints: EndpointResolver;
  /** The operation's loaders; throws UNAUTHENTICATED when the operation has no credential. */
  loaders(): Loaders;
  /** The operation's credential; throws UNAUTHENTICATED when there is none. */
  requireCredential(): Credential;
  /** Shared pollers behind subscriptions. */
  pollers: PollerRegistry;
  /**
   * Whether this operation's response may be cached: every job it resolved was terminal, or running and answered
   * from an observation (`running` lists those, by credential-scoped key: the answer holds while they do).
   */
  cacheability: { cacheable: boolean; running: Array<[key: string, job: JobModel]> };
  /**
   * Resolvers report each job they return, for the response cache (graphql/response-cache.ts) and for the
   * cache-control hint of the field that returned it (`info`).
   */
  observe(job: JobModel | null | Error, info: GraphQLResolveInfo): void;
  /** Set by the HTTP layer on a response-cache miss: approved when the answer may be stored. */
  responseCacheEntry: PendingEntry | null;
}

/** How long a router or CDN may keep an answer, in seconds (Apollo's cache-control hints). */
export interface CacheHints {
  /** A terminal job: the terminal-job cache's TTL. */
  terminalMaxAgeS: number;
  /** A running job: the freshness window (JOB_MAX_AGE_MS). */
  runningMaxAgeS: number;
}

/**
 * What Apollo's cache-control plugin adds to a field's resolve info (absent outside Apollo Server: graphql-ws and
 * callback subscriptions run graphql-js directly); the restricting part of @apollo/cache-control-types' shape.
 */
interface CacheControlInfo {
  cacheControl?: { cacheHint: { restrict(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void } };
}

/**
 * The hint a job allows: nothing for a missing job or an error (it may change at any time), else by its state.
 * Always PRIVATE: every answer depends on the request's credential.
 */
function hintFor(job: JobModel | null | Error, hints: CacheHints) {
  const maxAge = job === null || job instanceof Error ? 0 : job.terminal ? hints.terminalMaxAgeS : hints.runningMaxAgeS;
  return { maxAge, scope: 'PRIVATE' as const };
}

const noCredential = () =>
  unauthenticated('No credential: send X-Auth-Token, or configure HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK');

export function createContext(
  credential: Credential | null,
  defaults: Defaults,
  endpoints: EndpointResolver,
  makeLoaders: (credential: Credential) => Loaders,
  pollers: PollerRegistry,
  hints: CacheHints,
  responseCacheEntry: PendingEntry | null = null,
): GraphQLContext {
  let loaders: Loaders | null = null;
  const cacheability: GraphQLContext['cacheability'] = { cacheable: true, running: [] };
  return {
    credential,
    defaults,
    endpoints,
    pollers,
    cacheability,
    responseCacheEntry,
    observe(job, info) {
      if (job === null || job instanceof Error) cacheability.cacheable = false;
      else if (!job.terminal && credential) cacheability.running.push([credentialJobKey(job, credential.fingerprint), job]);
      // Cast: Apollo's plugin adds `cacheControl` to graphql-js's info at run time; its type is not in graphql's.
      // Restrict, not set: a field returning several jobs (jobs, _entities) is cacheable as long as its least one.
      (info as GraphQLResolveInfo & CacheControlInfo).cacheControl?.cacheHint.restrict(hintFor(job, hints));
    },
    requireCredential() {
      if (!credential) throw noCredential();
      return credential;
    },
    loaders() {
      if (!credential) throw noCredential();
      loaders ??= makeLoaders(credential);
      return loaders;
    },
  };
}
