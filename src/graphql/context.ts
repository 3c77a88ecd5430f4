import type { Credential } from '../auth/credentials.js';
import { unauthenticated } from '../errors.js';
import type { Loaders } from '../loaders/index.js';
import type { EndpointResolver } from '../upstream/endpoints.js';
import type { Defaults } from './validation.js';

/** What every resolver receives; built anew for each operation. */
export interface GraphQLContext {
  credential: Credential | null;
  defaults: Defaults;
  endpoints: EndpointResolver;
  /** The operation's loaders; throws UNAUTHENTICATED when the operation has no credential. */
  loaders(): Loaders;
}

export function createContext(
  credential: Credential | null,
  defaults: Defaults,
  endpoints: EndpointResolver,
  makeLoaders: (credential: Credential) => Loaders,
): GraphQLContext {
  let loaders: Loaders | null = null;
  return {
    credential,
    defaults,
    endpoints,
    loaders() {
      if (!credential) {
        throw unauthenticated('No credential: send X-Auth-Token, or configure HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK');
      }
      loaders ??= makeLoaders(credential);
      return loaders;
    },
  };
}
