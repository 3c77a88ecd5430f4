/**
 * Several real server processes (`src/main.ts`) in huaweicloud mode, all pointed at one simulator by the SDK's
 * endpoint overrides and sharing one Redis, as replicas behind a gateway would be. Also a Redis server of a
 * test's own (for tests that stop and restart it), and a reader for the replicas' Prometheus metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createConnection, createServer } from 'node:net';
import { DEMO, type Simulator } from '../../src/simulator/index.js';
import { scrape, startChild, type ChildServer } from './processes.js';

export const SERVICES = ['WORKSPACE', 'WORKSPACEAPP', 'GAUSSDB', 'CPH'] as const;

/** Environment for a replica calling `sim` as if it were the cloud, with the demo AK/SK as service credentials. */
export function replicaEnv(sim: Simulator, extra: Record<string, string>): Record<string, string> {
  return {
    UPSTREAM: 'huaweicloud',
    HUAWEICLOUD_SDK_AK: DEMO.ak,
    HUAWEICLOUD_SDK_SK: DEMO.sk,
    HUAWEICLOUD_SDK_PROJECT_ID: DEMO.projectId,
    HUAWEICLOUD_REGION: DEMO.region,
    ...Object.fromEntries(SERVICES.map((s) => [`HUAWEICLOUD_SDK_REGION_${s}_CN_NORTH_4`, sim.url])),
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** A fresh key prefix, so tests sharing the machine's Redis never see each other's keys. */
export const uniquePrefix = () => `cjs-test-${randomUUID().slice(0, 8)}`;

export async function startReplicas(n: number, sim: Simulator, env: Record<string, string>): Promise<ChildServer[]> {
  return Promise.all(Array.from({ length: n }, () => startChild('src/main.ts', replicaEnv(sim, env))));
}

/** Anything serving /graphql: a replica process or an in-process test server. */
type Served = { url: string };

export const metricsUrl = (server: Served) => server.url.replace(/\/graphql$/, '/metrics');

export const metric = (server: Served, name: string, labels = '') => scrape(metricsUrl(server), name, labels);

/** Waits until every server's `cluster_degraded` gauge reads `value` (1: polling alone, 0: coordinating). */
export const waitForDegraded = (servers: Served[], value: 0 | 1, timeoutMs: number, what: string) =>
  waitFor(async () => (await Promise.all(servers.map((s) => metric(s, 'cluster_degraded')))).every((v) => v === value), timeoutMs, what);

/** A redis-server of the test's own on a free port, so it can be stopped and restarted without touching 6379. */
export class OwnRedis {
  private process: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(() => canConnect(this.port), 5000, 'redis-server to listen');
  }

  async stop(): Promise<void> {
    const p = this.process;
    this.process = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGKILL');
    await exited;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `check` until it holds, or fails naming what it waited for. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
