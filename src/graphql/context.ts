import type { Credential } from '../auth/credentials.js';
import { unauthenticated } from '../errors.js';
import type { Loaders } from '../loaders/index.js';
import type { PollerRegistry } from '../polling/registry.js';
import type { EndpointResolver } from '../upstream/endpoints.js';
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
}

const noCredential = () =>
  unauthenticated('No credential: send X-Auth-Token, or configure HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK');

export function createContext(
  credential: Credential | null,
  defaults: Defaults,
  endpoints: EndpointResolver,
  makeLoaders: (credential: Credential) => Loaders,
  pollers: PollerRegistry,
): GraphQLContext {
  let loaders: Loaders | null = null;
  return {
    credential,
    defaults,
    endpoints,
    pollers,
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
