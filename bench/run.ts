/**
 * `npm run bench`: speed, upstream economy, subscription scale and a soak test, measured side by side in one
 * run (absolute numbers vary by machine; ratios to a bare Apollo Server in the same run do not). Writes
 * bench/results.md and bench/results.json. BENCH_QUICK=1 shortens every phase (a smoke run, not a measurement);
 * BENCH_DEBUG=1 prints the timing of each push-latency wave (changes, polls seen upstream, receipts).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { createSimulator, DEMO } from '../src/simulator/index.js';
import { metricsUrl, startReplicas, uniquePrefix } from '../test/support/replicas.js';
import { RedisCluster } from '../test/support/redis-ha.js';
import { startTestServer } from '../test/support/server.js';
import { collect, wsClient, type Collected } from '../test/support/subscriptions.js';
import { multipartClient, sseClient } from '../test/support/http-subscriptions.js';
import { load, type LoadResult } from './lib/load.js';
import { rawMultipartClient } from './lib/raw-multipart.js';
import { scrape, startChild, type ChildServer } from '../test/support/processes.js';

const QUICK = process.env.BENCH_QUICK === '1';
const DURATION_S = QUICK ? 2 : 8;
const WARMUP_S = QUICK ? 1 : 2;
const SOAK_S = QUICK ? 8 : 60;
const SUB_JOBS = QUICK ? 20 : 100;
const SUBS_PER_JOB = QUICK ? 10 : 100;
const SUB_INTERVAL_MS = 2000;
/** SSE and multipart hold one HTTP connection per subscriber: fewer of them, still enough for a per-subscriber figure. */
const HTTP_SUBS_PER_JOB = QUICK ? 5 : 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

const FIELDS = 'jobId state rawStatus terminal progress startedAt finishedAt';
const jobQuery = (service: string, jobId: string) => ({ query: `{ job(ref: { service: ${service}, jobId: "${jobId}" }) { ${FIELDS} } }` });
const TERMINAL_REFS = [
  ['WORKSPACE', DEMO.workspace.success], ['WORKSPACE', DEMO.workspace.completeAllSucceeded], ['WORKSPACE', DEMO.workspace.completeWithFailedSubJob],
  ['WORKSPACE', DEMO.workspace.fail], ['WORKSPACE', DEMO.workspace.failed], ['APP_STREAMING', DEMO.appStreaming.success],
  ['APP_STREAMING', DEMO.appStreaming.failed], ['APP_STREAMING', DEMO.appStreaming.nestedShape], ['GAUSSDB_MYSQL', DEMO.gaussdb.completed],
  ['GAUSSDB_MYSQL', DEMO.gaussdb.failed], ['CLOUD_PHONE', DEMO.cloudPhone.success], ['CLOUD_PHONE', DEMO.cloudPhone.failed],
  ['CLOUD_PHONE', DEMO.cloudPhone.serverJob], ...DEMO.cloudPhone.batch.map((id) => ['CLOUD_PHONE', id]),
];
const RUNNING_REFS = [
  ['WORKSPACE', DEMO.workspace.running], ['WORKSPACE', DEMO.workspace.waiting], ['APP_STREAMING', DEMO.appStreaming.running],
  ['GAUSSDB_MYSQL', DEMO.gaussdb.running],
];
const refsLiteral = (refs: string[][]) => refs.map(([s, id]) => `{ service: ${s}, jobId: "${id}" }`).join(', ');
const jobs20 = { query: `{ jobs(refs: [${refsLiteral([...TERMINAL_REFS, ...RUNNING_REFS].slice(0, 20))}]) { ${FIELDS} } }` };

interface Results {
  machine: Record<string, unknown>;
  runtime: Record<string, number>;
  queries: Record<string, LoadResult & { ratioToBare?: number; upstreamWaitShare?: number }>;
  running: Record<string, unknown>;
  economy: Record<string, unknown>;
  subscriptions: Record<string, number>;
  soak: Record<string, unknown>;
  replicas: Array<Record<string, string | number>>;
}

async function queryThroughput(results: Results): Promise<void> {
  log('query throughput: starting the bare Apollo Server and the subgraph (separate processes)');
  const bare = await startChild('bench/bare-server.ts', {});
  const ours = await startChild('src/main.ts', {});
  try {
    const run = async (name: string, server: ChildServer, body: unknown, connections: number) => {
      await load(server.url, body, { connections, durationS: WARMUP_S });
      const upstreamBefore = await scrape(metricsUrl(server), 'upstream_request_duration_seconds_sum').catch(() => 0);
      const r = await load(server.url, body, { connections, durationS: DURATION_S });
      const upstreamAfter = await scrape(metricsUrl(server), 'upstream_request_duration_seconds_sum').catch(() => 0);
      const totalLatencyS = (r.requests * r.meanLatencyMs) / 1000;
      results.queries[name] = { ...r, ...(server === ours ? { upstreamWaitShare: round((upstreamAfter - upstreamBefore) / totalLatencyS, 3) } : {}) };
      log(`${name}: ${round(r.rps, 0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors + r.graphqlErrors}`);
    };
    const terminal = jobQuery('CLOUD_PHONE', DEMO.cloudPhone.success);
    const running = jobQuery('GAUSSDB_MYSQL', DEMO.gaussdb.running);
    await run('bare job(ref), 10 connections', bare, terminal, 10);
    await run('job(ref) terminal, 10 connections', ours, terminal, 10);
    await run('job(ref) running, 10 connections', ours, running, 10);
    await run('bare jobs(refs: 20), 10 connections', bare, jobs20, 10);
    await run('jobs(refs: 20) mixed, 10 connections', ours, jobs20, 10);
    await run('bare job(ref), 50 connections', bare, terminal, 50);
    await run('job(ref) terminal, 50 connections', ours, terminal, 50);
    const q = results.queries;
    const bare10 = q['bare job(ref), 10 connections']!;
    for (const name of ['job(ref) terminal, 10 connections', 'job(ref) running, 10 connections']) q[name]!.ratioToBare = round(q[name]!.rps / bare10.rps);
    q['jobs(refs: 20) mixed, 10 connections']!.ratioToBare = round(q['jobs(refs: 20) mixed, 10 connections']!.rps / q['bare jobs(refs: 20), 10 connections']!.rps);
    q['job(ref) terminal, 50 connections']!.ratioToBare = round(q['job(ref) terminal, 50 connections']!.rps / q['bare job(ref), 50 connections']!.rps);
  } finally {
    await Promise.all([bare.stop(), ours.stop()]);
  }
}

/** Upstream calls the simulator of a child server saw since the last reset: all, or one route's (and job's). */
async function upstreamCalls(server: ChildServer, route?: string, jobId?: string): Promise<number> {
  const query = new URLSearchParams({ ...(route ? { route } : {}), ...(jobId ? { jobId } : {}) });
  const { calls } = (await (await fetch(`${server.simulator}/_sim/calls?${query}`)).json()) as { calls: unknown[] };
  return calls.length;
}
const resetCalls = (server: ChildServer) => fetch(`${server.simulator}/_sim/calls`, { method: 'DELETE' });
const patchJob = (server: ChildServer, service: string, jobId: string, patch: Record<string, unknown>) =>
  fetch(`${server.simulator}/_sim/jobs/${service}/${DEMO.projectId}/${jobId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });

/** Warm-up, then a measured load run, and the upstream calls the simulator saw during it (all, or one job's). */
async function measuredLoad(server: ChildServer, body: unknown, options: { connections: number; bodies?: unknown[]; route?: string; jobId?: string }) {
  await load(server.url, body, { connections: options.connections, durationS: WARMUP_S, bodies: options.bodies });
  await resetCalls(server);
  const result = await load(server.url, body, { connections: options.connections, durationS: DURATION_S, bodies: options.bodies });
  return { ...result, calls: await upstreamCalls(server, options.route, options.jobId) };
}

/**
 * Running jobs under query load (docs/architecture.md#one-observation-per-window): a hot running job at 50
 * connections against the bare server, its upstream calls per second with the freshness window (JOB_MAX_AGE_MS,
 * default 1000) and without it (coalescing alone), a mix of 100 running jobs over the four services, a job with a
 * live subscription under the same load, and how long after an upstream change every query sees it.
 */
async function runningJobs(results: Results): Promise<void> {
  const CONNECTIONS = 50;
  const r = results.running;
  const hot = jobQuery('GAUSSDB_MYSQL', DEMO.gaussdb.running);
  log('running jobs: the bare Apollo Server and the subgraph (JOB_MAX_AGE_MS default 1000)');
  const bare = await startChild('bench/bare-server.ts', {});
  // Polls a little more often than the window, so a watched job's observation never expires between polls.
  const ours = await startChild('src/main.ts', { POLL_INTERVAL_MS: '800' });
  try {
    await load(bare.url, hot, { connections: CONNECTIONS, durationS: WARMUP_S });
    const b = await load(bare.url, hot, { connections: CONNECTIONS, durationS: DURATION_S });
    const o = await measuredLoad(ours, hot, { connections: CONNECTIONS, route: 'gaussdb.showJob', jobId: DEMO.gaussdb.running });
    Object.assign(r, {
      'bare job(ref), 50 connections: req/s': round(b.rps, 0),
      'bare p99 ms': b.p99,
      'hot running job, 50 connections: req/s': round(o.rps, 0),
      'p99 ms': o.p99,
      'errors': o.errors + o.graphqlErrors,
      'req/s ratio to bare (target ≥ 1.0)': round(o.rps / b.rps),
      'p99 ratio to bare (target ≤ 1.2)': round(o.p99 / Math.max(b.p99, 1)),
      'upstream calls per second for the job (target ≤ 1000 ÷ JOB_MAX_AGE_MS + 1 = 2)': round(o.calls / DURATION_S, 2),
    });
    log(JSON.stringify(r));

    // A mix of 100 running jobs, 25 per service, each query asking one of them in turn.
    const services = [
      ['WORKSPACE', 'workspace', (i: number) => ({ id: `0b5e7000-0000-4000-8000-${String(i).padStart(12, '0')}`, status: 'RUNNING' })],
      ['APP_STREAMING', 'appStreaming', (i: number) => ({ id: `7441${String(i).padStart(14, '0')}`, status: 'RUNNING' })],
      ['GAUSSDB_MYSQL', 'gaussdb', (i: number) => ({ id: `0b5e7100-0000-4000-8000-${String(i).padStart(12, '0')}`, status: 'Running', process: 10, instance: { id: 'd'.repeat(32) + 'in07', name: 'mix' } })],
      ['CLOUD_PHONE', 'cloudPhone', (i: number) => ({ id: `0b5e7200${String(i).padStart(24, '0')}`, requestId: `0b5e7300${String(i).padStart(24, '0')}`, status: 1 })],
    ] as const;
    const bodies: unknown[] = [];
    for (const [service, simName, input] of services) {
      for (let i = 0; i < 25; i++) {
        const job = input(i);
        const res = await fetch(`${ours.simulator}/_sim/jobs/${simName}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(job) });
        if (res.status !== 201) throw new Error(`cannot add a ${simName} job: ${res.status} ${await res.text()}`);
        bodies.push(jobQuery(service, job.id));
      }
    }
    const mix = await measuredLoad(ours, null, { connections: CONNECTIONS, bodies });
    Object.assign(r, {
      '100 running jobs (4 services), 50 connections: req/s': round(mix.rps, 0),
      '100 running jobs: p99 ms': mix.p99,
      '100 running jobs: errors': mix.errors + mix.graphqlErrors,
      '100 running jobs: req/s ratio to bare': round(mix.rps / b.rps),
      '100 running jobs: upstream calls per second per job': round(mix.calls / DURATION_S / 100, 2),
    });
    log(JSON.stringify(r));

    // A live subscription on the hot job, and query load on it: the poller's observations answer the queries.
    const client = wsClient(ours.url);
    try {
      const sub = collect(client, `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${DEMO.gaussdb.running}" }) { progress } }`);
      await sub.waitFor(1, 30_000);
      await sleep(2000);
      await resetCalls(ours);
      await sleep(DURATION_S * 1000);
      const pollsAlone = await upstreamCalls(ours, 'gaussdb.showJob', DEMO.gaussdb.running);
      await resetCalls(ours);
      const withLoad = await load(ours.url, hot, { connections: CONNECTIONS, durationS: DURATION_S });
      const callsWithLoad = await upstreamCalls(ours, 'gaussdb.showJob', DEMO.gaussdb.running);
      Object.assign(r, {
        'subscribed job (poll 800 ms): upstream calls per second, no queries': round(pollsAlone / DURATION_S, 2),
        'subscribed job: upstream calls per second under query load (target: the same)': round(callsWithLoad / DURATION_S, 2),
        'subscribed job: req/s under query load': round(withLoad.rps, 0),
      });
      sub.unsubscribe();
    } finally {
      await client.dispose();
    }
    log(JSON.stringify(r));

    // Staleness: change the job upstream under load; the time until no answer shows the old value any more.
    const stale: number[] = [];
    for (let wave = 0; wave < (QUICK ? 2 : 4); wave++) {
      const value = 61 + wave;
      let changedAt = Infinity;
      let lastOld = 0;
      const running = load(ours.url, hot, {
        connections: CONNECTIONS,
        durationS: 3,
        onBody: (body, at) => {
          if (at > changedAt && !body.includes(`"progress":${value}`)) lastOld = at;
        },
      });
      await sleep(1000 + Math.random() * 500);
      changedAt = Date.now();
      await patchJob(ours, 'gaussdb', DEMO.gaussdb.running, { process: value });
      await running;
      stale.push(Math.max(0, lastOld - changedAt));
    }
    Object.assign(r, {
      'staleness: ms from an upstream change until every query sees it (max of waves)': Math.max(...stale),
      'staleness waves ms': stale.join(', '),
      'staleness target ms (window + one upstream call)': '1000 + one call',
    });
    log(JSON.stringify(r));
  } finally {
    await Promise.all([bare.stop(), ours.stop()]);
  }

  log('running jobs: the subgraph with JOB_MAX_AGE_MS=0 (coalescing alone)');
  const off = await startChild('src/main.ts', { JOB_MAX_AGE_MS: '0' });
  try {
    const o = await measuredLoad(off, hot, { connections: CONNECTIONS, route: 'gaussdb.showJob', jobId: DEMO.gaussdb.running });
    Object.assign(r, {
      'JOB_MAX_AGE_MS=0, hot running job, 50 connections: req/s': round(o.rps, 0),
      'JOB_MAX_AGE_MS=0: p99 ms': o.p99,
      'JOB_MAX_AGE_MS=0: upstream calls per second': round(o.calls / DURATION_S, 1),
      'JOB_MAX_AGE_MS=0: upstream calls per request (coalescing alone)': round(o.calls / Math.max(o.requests, 1), 3),
    });
    log(JSON.stringify(r));
  } finally {
    await off.stop();
  }
}

/** Start-up time (spawn to the first 200 of /readyz) and RSS at idle: compiled JavaScript against tsx. */
async function runtime(results: Results): Promise<void> {
  log('runtime: start-up and idle memory, compiled (npm start) against tsx');
  execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
  const runs = QUICK ? 1 : 5;
  for (const [label, entry] of [['compiled (node dist/main.js)', 'dist/main.js'], ['tsx (node --import tsx src/main.ts)', 'src/main.ts']] as const) {
    const startups: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const server = await startChild(entry, {});
      const ready = server.url.replace(/\/graphql$/, '/readyz');
      while ((await fetch(ready).then((r) => r.status, () => 0)) !== 200) await sleep(5);
      startups.push(performance.now() - started);
      await sleep(QUICK ? 200 : 2000);
      rss.push(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))?.[1]) / 1024);
      await server.stop();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    results.runtime[`${label}: start-up to /readyz ms (median of ${runs})`] = round(median(startups), 0);
    results.runtime[`${label}: RSS at idle MiB (median of ${runs})`] = round(median(rss), 1);
  }
}

async function upstreamEconomy(results: Results): Promise<void> {
  log('upstream economy');
  const t = await startTestServer();
  try {
    // Mixed lists with duplicates, aliases and nested fields: calls per distinct job per operation.
    const distinct = [...TERMINAL_REFS.slice(0, 8), ...RUNNING_REFS];
    const withDuplicates = [...distinct, ...distinct.slice(0, 6), ...distinct.slice(2, 5)];
    t.sim.calls.reset();
    const res = await t.gql(`{
      a: jobs(refs: [${refsLiteral(withDuplicates)}]) { jobId subJobs { id entities { __typename } } entities { __typename } }
      b: jobs(refs: [${refsLiteral(distinct.slice(0, 5))}]) { state }
      c: job(ref: { service: ${distinct[0]![0]}, jobId: "${distinct[0]![1]}" }) { jobId }
    }`);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    results.economy['mixed lists: refs asked'] = withDuplicates.length + 5 + 1;
    results.economy['mixed lists: distinct jobs'] = distinct.length;
    results.economy['mixed lists: upstream calls'] = t.sim.calls.count();
    results.economy['calls per distinct job per operation'] = round(t.sim.calls.count() / distinct.length, 3);
    // Cloud Phone batching: ⌈n/20⌉ ListJobs calls.
    const batching: Record<string, string> = {};
    for (const n of [1, 20, 21, 45, 100]) {
      const ids = Array.from({ length: n }, (_, i) => `be${n.toString(16).padStart(2, '0')}${i.toString(16).padStart(4, '0')}`.padEnd(32, '0'));
      ids.forEach((requestId, i) => t.sim.store.add('cloudPhone', { id: `${requestId.slice(0, 24)}${i.toString(16).padStart(8, '0')}`, requestId, status: 2 }));
      t.sim.calls.reset();
      const r = await t.gql(`query($ids: [ID!]!) { cloudPhoneJobs(requestIds: $ids) { jobId } }`, { ids });
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      batching[`n=${n}`] = `${t.sim.calls.count()} calls (⌈n/20⌉ = ${Math.ceil(n / 20)})`;
    }
    results.economy['Cloud Phone batching'] = batching;
  } finally {
    await t.close();
  }
}

/** `graphql-ws, one per connection`: as the HTTP transports hold them, one subscription per connection. */
type SubscriptionTransport = 'graphql-ws' | 'graphql-ws, one per connection' | 'sse' | 'multipart' | 'multipart, raw reader';

/** Subscribes `perJob` clients of `transport` to each job; graphql-ws multiplexes them over `perJob` sockets. */
function subscribers(transport: SubscriptionTransport, url: string, ids: string[], perJob: number) {
  const query = (id: string) => `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${id}" }) { jobId progress } }`;
  const disposers: Array<() => unknown> = [];
  const subs: Array<{ id: string; sub: Collected }> = [];
  const clientFor = () =>
    transport === 'sse' ? sseClient(url) : transport === 'multipart' ? multipartClient(url) : transport === 'multipart, raw reader' ? rawMultipartClient(url) : wsClient(url);
  for (let i = 0; i < perJob; i++) {
    // graphql-ws multiplexes every job of a client on one socket, unless each subscription gets its own.
    const shared = transport === 'graphql-ws' ? clientFor() : null;
    if (shared) disposers.push(() => shared.dispose());
    for (const id of ids) {
      const client = shared ?? clientFor();
      if (!shared) disposers.push(() => client.dispose());
      subs.push({ id, sub: collect(client, query(id)) });
    }
  }
  return { subs, dispose: () => Promise.all(disposers.map((d) => d())) };
}

async function subscriptionScale(results: Results): Promise<void> {
  for (const transport of ['graphql-ws', 'graphql-ws, one per connection', 'sse', 'multipart', 'multipart, raw reader'] as const) {
    const measured = await subscriptionScaleOver(transport, transport === 'graphql-ws' ? SUBS_PER_JOB : HTTP_SUBS_PER_JOB);
    // graphql-ws keeps its historical keys; the HTTP transports add their measurements (not the shared settings) beside them.
    const prefix = transport === 'graphql-ws' ? '' : `${transport}: `;
    for (const [key, value] of Object.entries(measured)) {
      if (prefix && (key === 'jobs' || key === 'poll interval ms' || key === 'push latency waves' || key.startsWith('target'))) continue;
      results.subscriptions[`${prefix}${key}`] = value;
    }
  }
  log(JSON.stringify(results.subscriptions));
}

async function subscriptionScaleOver(transport: SubscriptionTransport, perJob: number): Promise<Record<string, number>> {
  const total = SUB_JOBS * perJob;
  log(`subscription scale over ${transport}: ${total} subscribers over ${SUB_JOBS} jobs, poll interval ${SUB_INTERVAL_MS} ms`);
  const server = await startChild('src/main.ts', { POLL_INTERVAL_MS: String(SUB_INTERVAL_MS), MAX_SUBSCRIPTIONS_PER_CONNECTION: String(SUB_JOBS) });
  const sim = server.simulator!;
  let live: ReturnType<typeof subscribers> | null = null;
  try {
    const ids = Array.from({ length: SUB_JOBS }, (_, i) => `5ca1e000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (const id of ids) {
      await fetch(`${sim}/_sim/jobs/gaussdb`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, status: 'Running', process: 10, instance: { id: 'a'.repeat(32) + 'in07', name: 'bench' } }),
      });
    }
    const rssBefore = await scrape(metricsUrl(server), 'process_resident_memory_bytes');
    live = subscribers(transport, server.url, ids, perJob);
    const { subs } = live;
    const connectStart = Date.now();
    await Promise.all(subs.map((s) => s.sub.waitFor(1, 120_000)));
    const connectS = (Date.now() - connectStart) / 1000;
    await sleep(3000);
    const rssAfter = await scrape(metricsUrl(server), 'process_resident_memory_bytes');
    // Steady state: upstream polls per second and CPU, nothing changing.
    await fetch(`${sim}/_sim/calls`, { method: 'DELETE' });
    const cpuBefore = await scrape(metricsUrl(server), 'process_cpu_seconds_total');
    const windowS = QUICK ? 4 : 10;
    await sleep(windowS * 1000);
    const cpuAfter = await scrape(metricsUrl(server), 'process_cpu_seconds_total');
    const { calls } = (await (await fetch(`${sim}/_sim/calls?route=gaussdb.showJob`)).json()) as { calls: unknown[] };
    const polls = calls.length;

    // Push latency: several waves, each at a random moment of the poll cycle, each changing every job upstream;
    // latency = time from a job's change until each of its subscribers has it.
    const latencies: number[] = [];
    // Delivery: from the poll that saw a change to its receipt. Unlike the push latency it does not depend on where
    // a wave falls in the poll cycle, so it compares what the transports themselves add.
    const deliveries: number[] = [];
    const waves = QUICK ? 2 : 5;
    for (let wave = 0; wave < waves; wave++) {
      await sleep(Math.random() * SUB_INTERVAL_MS);
      const changedAt = new Map<string, number>();
      const seenBefore = subs.map((s) => s.sub.messages.length);
      for (const id of ids) {
        changedAt.set(id, Date.now());
        await fetch(`${sim}/_sim/jobs/gaussdb/${DEMO.projectId}/${id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ process: 20 + wave }),
        });
      }
      await Promise.all(
        subs.map(async (s, i) => {
          await s.sub.waitFor(seenBefore[i]! + 1, SUB_INTERVAL_MS * 3);
          latencies.push(s.sub.receivedAt[seenBefore[i]!]! - changedAt.get(s.id)!);
        }),
      );
      const { calls: polled } = (await (await fetch(`${sim}/_sim/calls?route=gaussdb.showJob`)).json()) as { calls: Array<{ at: number; jobId: string }> };
      const firstPollAfterChange = new Map<string, number>();
      for (const call of polled) {
        const changed = changedAt.get(call.jobId);
        if (changed !== undefined && call.at >= changed && call.at < (firstPollAfterChange.get(call.jobId) ?? Infinity)) firstPollAfterChange.set(call.jobId, call.at);
      }
      subs.forEach((s, i) => {
        const polledAt = firstPollAfterChange.get(s.id);
        if (polledAt !== undefined) deliveries.push(s.sub.receivedAt[seenBefore[i]!]! - polledAt);
      });
      if (process.env['BENCH_DEBUG']) {
        const calls = polled;
        const firstChange = Math.min(...changedAt.values());
        const lastChange = Math.max(...changedAt.values());
        const ats = calls.map((c) => c.at).filter((a) => a > firstChange - 2 * SUB_INTERVAL_MS);
        const recv = subs.map((s, i) => s.sub.receivedAt[seenBefore[i]!]!);
        log(`wave ${wave}: changes ${firstChange % 100000}..${lastChange % 100000}; polls at ${[...new Set(ats.map((a) => Math.round(a / 10) * 10 % 100000))].join(',')}; received ${Math.min(...recv) % 100000}..${Math.max(...recv) % 100000}`);
      }
    }
    return {
      subscribers: total,
      jobs: SUB_JOBS,
      'poll interval ms': SUB_INTERVAL_MS,
      'seconds to attach all subscribers': round(connectS, 1),
      'upstream polls per second': round(polls / windowS, 1),
      'target polls per second (jobs ÷ interval)': round(SUB_JOBS / (SUB_INTERVAL_MS / 1000), 1),
      'push latency waves': waves,
      'push latency p50 ms': percentile(latencies, 50),
      'push latency p99 ms': percentile(latencies, 99),
      'target push latency p99 ms (interval + 100)': SUB_INTERVAL_MS + 100,
      'delivery p50 ms (from the poll that saw the change to receipt)': percentile(deliveries, 50),
      'delivery p99 ms': percentile(deliveries, 99),
      'resident memory per subscriber KiB': round((rssAfter - rssBefore) / total / 1024, 2),
      'CPU (cores) while idle-polling': round((cpuAfter - cpuBefore) / windowS, 3),
    };
  } finally {
    await live?.dispose();
    await server.stop();
  }
}

/**
 * Replicas: the same subscribers spread over 1 replica, 3 replicas sharing one Redis node, 3 replicas sharing a
 * Redis Cluster (three primaries with a replica each, started here from the machine's redis-server), and 3 replicas
 * without Redis, all calling one simulator as if it were the cloud; upstream polls per interval, counted at the
 * simulator.
 */
async function replicaScale(results: Results): Promise<void> {
  const jobs = 20;
  const subscribers = QUICK ? 150 : 600;
  const intervalMs = 1000;
  const windowIntervals = QUICK ? 4 : 10;
  const redisUrl = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const sim = await createSimulator();
  try {
    const setups = [
      [1, 'one node'],
      [3, 'one node'],
      [3, 'Cluster (3 primaries + 3 replicas)'],
      [3, 'none'],
    ] as const;
    for (const [count, redis] of setups) {
      log(`replicas: ${count} replica(s), Redis: ${redis}, ${subscribers} subscribers over ${jobs} jobs`);
      const cluster = redis.startsWith('Cluster') ? new RedisCluster() : null;
      await cluster?.start();
      const redisEnv =
        redis === 'none' ? {} : { REDIS_KEY_PREFIX: uniquePrefix(), ...(cluster ? { REDIS_CLUSTER_NODES: cluster.nodesVar } : { REDIS_URL: redisUrl }) };
      const replicas = await startReplicas(count, sim, {
        POLL_INTERVAL_MS: String(intervalMs),
        MAX_SUBSCRIPTIONS_PER_CONNECTION: String(subscribers),
        ...redisEnv,
      });
      const clients = replicas.map((r) => wsClient(r.url));
      try {
        const tag = `${count}${redis[0]!.toLowerCase()}`;
        const ids = Array.from({ length: jobs }, (_, i) => `5ca1ab1e-${tag}00-4000-8000-${String(i).padStart(12, '0')}`);
        for (const id of ids) sim.store.add('gaussdb', { id, status: 'Running', process: 10, instance: { id: 'c'.repeat(32) + 'in07', name: 'bench' } });
        const subs = Array.from({ length: subscribers }, (_, i) =>
          collect(clients[i % count]!, `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${ids[i % jobs]}" }) { progress } }`),
        );
        await Promise.all(subs.map((s) => s.waitFor(1, 60_000)));
        await sleep(intervalMs * 2);
        const from = Date.now();
        await sleep(intervalMs * windowIntervals);
        const polls = sim.calls.list({ route: 'gaussdb.showJob' }).filter((c) => c.at >= from && ids.includes(c.jobId!)).length;
        results.replicas.push({
          replicas: count,
          redis,
          subscribers,
          'distinct jobs': jobs,
          'upstream polls per interval': round(polls / windowIntervals, 1),
          'per distinct job': round(polls / windowIntervals / jobs, 2),
        });
        log(JSON.stringify(results.replicas.at(-1)));
      } finally {
        await Promise.all(clients.map((c) => c.dispose()));
        await Promise.all(replicas.map((r) => r.stop()));
        await cluster?.stop();
      }
    }
  } finally {
    await sim.close();
  }
}

async function soak(results: Results): Promise<void> {
  log(`soak: ${SOAK_S} s of mixed query load plus live subscriptions`);
  const server = await startChild('src/main.ts', { POLL_INTERVAL_MS: '1000' });
  const sim = server.simulator!;
  const clients = Array.from({ length: 5 }, () => wsClient(server.url));
  try {
    const ids = Array.from({ length: 10 }, (_, i) => `50a40000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (const id of ids) {
      await fetch(`${sim}/_sim/jobs/gaussdb`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, status: 'Running', process: 1, instance: { id: 'b'.repeat(32) + 'in07', name: 'soak' } }) });
    }
    const subs = clients.flatMap((c) => Array.from({ length: 100 }, (_, i) => collect(c, `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${ids[i % ids.length]}" }) { progress } }`)));
    await Promise.all(subs.map((s) => s.waitFor(1, 30_000)));
    // Upstream keeps changing during the soak.
    let progress = 1;
    const changer = setInterval(() => {
      progress = (progress % 98) + 1;
      for (const id of ids) void fetch(`${sim}/_sim/jobs/gaussdb/${DEMO.projectId}/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ process: progress }) });
    }, 2000);
    const rss: number[] = [];
    const heap: number[] = [];
    const sampler = setInterval(() => {
      void scrape(metricsUrl(server), 'process_resident_memory_bytes').then((v) => rss.push(v));
      void scrape(metricsUrl(server), 'nodejs_heap_size_used_bytes').then((v) => heap.push(v));
    }, 5000);
    const bodies = [
      jobQuery('CLOUD_PHONE', DEMO.cloudPhone.success),
      jobQuery('GAUSSDB_MYSQL', DEMO.gaussdb.running),
      jobs20,
      { query: `{ cloudPhoneJobs(requestIds: ["${DEMO.cloudPhone.requestIds.batch}", "${DEMO.cloudPhone.requestIds.advancing}"]) { jobId state } }` },
    ];
    const perBody = await Promise.all(bodies.map((b) => load(server.url, b, { connections: 3, durationS: SOAK_S })));
    clearInterval(changer);
    clearInterval(sampler);
    const messages = subs.reduce((n, s) => n + s.messages.length, 0);
    const subErrors = subs.reduce((n, s) => n + s.messages.filter((m) => m.errors).length, 0);
    results.soak = {
      seconds: SOAK_S,
      requests: perBody.reduce((n, r) => n + r.requests, 0),
      'requests per second': round(perBody.reduce((n, r) => n + r.rps, 0), 0),
      'HTTP errors': perBody.reduce((n, r) => n + r.errors, 0),
      'GraphQL errors': perBody.reduce((n, r) => n + r.graphqlErrors, 0),
      subscribers: subs.length,
      'subscription messages': messages,
      'subscription errors': subErrors,
      // Heap after warm-up (the second sample on) is the leak signal; RSS only grows to V8's high-water mark.
      'heap used after warm-up MiB': round((heap[1] ?? heap[0] ?? 0) / 2 ** 20, 1),
      'heap used at the end MiB': round((heap.at(-1) ?? 0) / 2 ** 20, 1),
      'heap used max MiB': round(Math.max(...heap) / 2 ** 20, 1),
      'RSS first MiB': round((rss[0] ?? 0) / 2 ** 20, 1),
      'RSS last MiB': round((rss.at(-1) ?? 0) / 2 ** 20, 1),
      'RSS max MiB': round(Math.max(...rss) / 2 ** 20, 1),
    };
    log(JSON.stringify(results.soak));
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await server.stop();
  }
}

function table(rows: Record<string, unknown>): string {
  return ['| measure | value |', '|---|---|', ...Object.entries(rows).map(([k, v]) => `| ${k} | ${typeof v === 'object' ? JSON.stringify(v) : v} |`)].join('\n');
}

function markdown(r: Results): string {
  const q = Object.entries(r.queries)
    .map(([name, v]) => `| ${name} | ${round(v.rps, 0)} | ${v.p50} | ${v.p99} | ${v.errors + v.graphqlErrors} | ${v.ratioToBare ?? ''} | ${v.upstreamWaitShare ?? ''} |`)
    .join('\n');
  const profile = existsSync('bench/profile.md') ? readFileSync('bench/profile.md', 'utf8') : '';
  return `# Benchmark results

Generated by \`npm run bench\`${QUICK ? ' (BENCH_QUICK: a smoke run, not a measurement)' : ''}.

${table(r.machine)}

## Query throughput and latency (autocannon, ${DURATION_S} s per run after ${WARMUP_S} s warm-up)

The subgraph (with its embedded simulator) and a bare Apollo Server answering static objects run as separate
processes on the same machine in the same run. Ratio = our requests/s ÷ the bare server's for the same shape.
"upstream wait" = time spent in upstream calls ÷ total request time (above 1 when a request's upstream calls
run in parallel, as for \`jobs\`).

| run | req/s | p50 ms | p99 ms | errors | ratio to bare | upstream wait |
|---|---|---|---|---|---|---|
${q}

## Running jobs: one upstream observation per job per window (JOB_MAX_AGE_MS)

${table(r.running)}

## Runtime: compiled start against tsx

${table(r.runtime)}

## Upstream economy

${table(r.economy)}

## Subscription scale (one process)

${table(r.subscriptions)}

## Several replicas: upstream polls per interval (poll interval 1 s)

The same subscribers, spread evenly over the replicas; all replicas call one simulator as if it were the cloud.
With Redis (one node, or a Redis Cluster whose shards hold the jobs' keys), one replica polls each job for all of
them; without it, each replica polls on its own.

| replicas | Redis | subscribers | distinct jobs | upstream polls per interval | per distinct job |
|---|---|---|---|---|---|
${r.replicas.map((row) => `| ${Object.values(row).join(' | ')} |`).join('\n')}

## Soak: sustained query and subscription load

${table(r.soak)}

${profile}
`;
}

const results: Results = {
  machine: {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    memory: `${round(os.totalmem() / 2 ** 30, 1)} GiB`,
    platform: `${os.platform()} ${os.release()}`,
  },
  runtime: {},
  queries: {},
  running: {},
  economy: {},
  subscriptions: {},
  soak: {},
  replicas: [],
};
const started = Date.now();
const only = process.env.BENCH_ONLY?.split(',');
// A partial run (BENCH_ONLY) keeps the other phases' last results, so one phase can be measured again alone.
if (only && existsSync('bench/results.json')) {
  const previous = JSON.parse(readFileSync('bench/results.json', 'utf8')) as Partial<Results>;
  for (const key of Object.keys(results) as Array<keyof Results>) {
    if (key !== 'machine' && !only.includes(key) && previous[key]) Object.assign(results, { [key]: previous[key] });
  }
  results.machine['phases measured in this run'] = only.join(', ');
}
const phases: Array<[string, (r: Results) => Promise<void>]> = [
  ['runtime', runtime],
  ['queries', queryThroughput],
  ['running', runningJobs],
  ['economy', upstreamEconomy],
  ['subscriptions', subscriptionScale],
  ['replicas', replicaScale],
  ['soak', soak],
];
for (const [name, phase] of phases) if (!only || only.includes(name)) await phase(results);
results.machine['bench duration s'] = round((Date.now() - started) / 1000, 0);
writeFileSync('bench/results.json', JSON.stringify(results, null, 2) + '\n');
writeFileSync('bench/results.md', markdown(results));
log(`wrote bench/results.md and bench/results.json in ${results.machine['bench duration s']} s`);
process.exit(0);
