/**
 * Starts the real subgraph (HTTP on port 0) against its embedded simulator, and offers a small GraphQL-over-HTTP
 * client. Every test file closes what it starts.
 */
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { afterAll, beforeAll } from 'vitest';
import { createSimulator, DEMO, type Simulator } from '../../src/simulator/index.js';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
}

export interface TestServer {
  server: RunningServer;
  /** The simulator upstream: embedded in simulator mode, or the one passed in. */
  sim: Simulator;
  url: string;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export async function startTestServer(
  env: Record<string, string> = {},
  options: { logger?: Logger; simulator?: Simulator } = {},
): Promise<TestServer> {
  // Call-counting tests measure per-operation behavior: the terminal-job cache and the running jobs' freshness
  // window are off unless a test turns them on (reads in flight are still shared).
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', UPSTREAM_RETRIES: '2', TERMINAL_CACHE_MAX: '0', JOB_MAX_AGE_MS: '0', ...env });
  const server = await startServer(config, { logger: options.logger ?? createLogger('silent'), simulator: options.simulator });
  const sim = (server.simulator ?? options.simulator)!;
  return {
    server,
    sim,
    url: server.url,
    async gql(query, variables = {}, headers = {}) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as GraphQLResponse<any>;
      return { ...body, status: res.status };
    },
    close: () => server.close(),
  };
}

/** Tokens the simulator of `cloudWithTokens` knows: two that may read every project, one that may read none. */
export const CLOUD_TOKENS = { a: 'cloud-token-a-secret-000', b: 'cloud-token-b-secret-111', none: 'cloud-token-c-no-projects' } as const;

/**
 * For the enclosing describe block: the subgraph in cloud mode (no AK/SK of its own, so every operation runs with
 * the client's token) against a simulator of its own standing in for the four services, which knows CLOUD_TOKENS.
 */
export function cloudWithTokens(env: Record<string, string> = {}): { readonly sim: Simulator; readonly cloud: TestServer } {
  let sim: Simulator | null = null;
  let cloud: TestServer | null = null;
  beforeAll(async () => {
    sim = await createSimulator({
      tokens: { [CLOUD_TOKENS.a]: { projects: '*' }, [CLOUD_TOKENS.b]: { projects: '*' }, [CLOUD_TOKENS.none]: { projects: [] } },
    });
    const overrides = Object.fromEntries(['WORKSPACE', 'WORKSPACEAPP', 'GAUSSDB', 'CPH'].map((s) => [`HUAWEICLOUD_SDK_REGION_${s}_CN_NORTH_4`, sim!.url]));
    cloud = await startTestServer({ UPSTREAM: 'huaweicloud', HUAWEICLOUD_SDK_PROJECT_ID: DEMO.projectId, ...overrides, ...env }, { simulator: sim });
  });
  afterAll(async () => {
    await cloud?.close();
    await sim?.close();
  });
  return {
    get sim() {
      return sim!;
    },
    get cloud() {
      return cloud!;
    },
  };
}
