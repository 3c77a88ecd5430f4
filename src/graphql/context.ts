import type { Credential } from '../auth/credentials.js';
import { unauthenticated } from '../errors.js';
import type { Loaders } from '../loaders/index.js';
import type { PollerRegistry } from '../polling/registry.js';
import type { JobModel } from '../model/job.js';
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
  /** Whether this operation's response may be cached: every job it resolved was terminal. */
  cacheability: { cacheable: boolean };
  /** Resolvers report each job they return (see graphql/response-cache.ts). */
  observe(job: JobModel | null | Error): void;
  /** Set by the HTTP layer on a response-cache miss: approved when the answer may be stored. */
  responseCacheEntry: PendingEntry | null;
}

const noCredential = () =>
  unauthenticated('No credential: send X-Auth-Token, or configure HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK');

export function createContext(
  credential: Credential | null,
  defaults: Defaults,
  endpoints: EndpointResolver,
  makeLoaders: (credential: Credential) => Loaders,
  pollers: PollerRegistry,
  responseCacheEntry: PendingEntry | null = null,
): GraphQLContext {
  let loaders: Loaders | null = null;
  const cacheability = { cacheable: true };
  return {
    credential,
    defaults,
    endpoints,
    pollers,
    cacheability,
    responseCacheEntry,
    observe(job) {
      if (job === null || job instanceof Error || !job.terminal) cacheability.cacheable = false;
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
