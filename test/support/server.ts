/**
 * Starts the real subgraph (HTTP on port 0) against its embedded simulator, and offers a small GraphQL-over-HTTP
 * client. Every test file closes what it starts.
 */
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { Simulator } from '../../src/simulator/index.js';

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
