/**
 * `REDIS_URL=rediss://…`: replicas (real `src/main.ts` processes against one simulator) reaching a TLS-only
 * redis-server of the test's own, with a throwaway CA made by `openssl` in a temp dir. The CA reaches the replicas the
 * standard Node way, `NODE_EXTRA_CA_CERTS`; without it the certificate is not trusted and a replica must poll on its
 * own rather than crash or talk to Redis in the clear. The server has no plaintext port (`--port 0`), so nothing
 * can succeed without TLS.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, DEMO, type Simulator } from '../src/simulator/index.js';
import { addGaussDbJob } from './support/jobs.js';
import type { ChildServer } from './support/processes.js';
import { freePort, metric, startReplicas, uniquePrefix, waitFor, waitForDegraded } from './support/replicas.js';
import { collect, wsClient, type Collected } from './support/subscriptions.js';

const INTERVAL = 400;
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pollsOf = (sim: Simulator, id: string) => sim.calls.list({ route: 'gaussdb.showJob', jobId: id });
const last = (c: Collected) => c.messages.at(-1)?.data?.['jobUpdated'] as { state: string; progress: number } | undefined;

/** A CA and a server certificate for 127.0.0.1 signed by it; EC keys, as RSA generation is slow. */
async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const [ca, caKey, cert, key, csr, ext] = ['ca.pem', 'ca.key', 'server.pem', 'server.key', 'server.csr', 'server.ext'].map((f) => join(dir, f)) as [
    string, string, string, string, string, string,
  ];
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const caExtensions = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  await run('openssl', ['req', '-x509', ...ec, ...caExtensions, '-keyout', caKey, '-out', ca, '-days', '1', '-subj', '/CN=cloud-jobs-subgraph test CA']);
  await run('openssl', ['req', ...ec, '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1']);
  await writeFile(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-set_serial', '1', '-days', '1', '-extfile', ext, '-out', cert]);
  return { ca, cert, key };
}

/** Whether a TLS handshake trusting `ca` completes (the server verified as 127.0.0.1). */
function tlsAccepts(port: number, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('REDIS_URL=rediss:// (TLS)', () => {
  let sim: Simulator | undefined;
  let dir: string | undefined;
  let server: ChildProcess | undefined;
  let redis: Redis | undefined;
  let ca: string;
  let tlsUrl: string;
  const replicas: ChildServer[] = [];
  const clients: Client[] = [];
  const prefix = uniquePrefix();

  const start = async (env: Record<string, string>) => {
    const [r] = await startReplicas(1, sim!, { POLL_INTERVAL_MS: String(INTERVAL), ...env });
    replicas.push(r!);
    return r!;
  };
  const follow = (replica: { url: string }, id: string): Collected => {
    const c = wsClient(replica.url);
    clients.push(c);
    return collect(c, `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${id}" }) { state progress } }`);
  };
  const complete = (id: string) => sim!.store.update('gaussdb', DEMO.projectId, id, { status: 'Completed' });

  beforeAll(async () => {
    sim = await createSimulator();
    dir = await mkdtemp(join(tmpdir(), 'cjs-redis-tls-'));
    const files = await makeCertificates(dir);
    ca = files.ca;
    const port = await freePort();
    tlsUrl = `rediss://127.0.0.1:${port}`;
    // TLS only: `--port 0` leaves no plaintext listener to fall back to.
    server = spawn(
      'redis-server',
      ['--port', '0', '--tls-port', String(port), '--tls-cert-file', files.cert, '--tls-key-file', files.key, '--tls-ca-cert-file', files.ca,
        '--tls-auth-clients', 'no', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    const caPem = await readFile(files.ca);
    await waitFor(() => tlsAccepts(port, caPem), 5000, 'redis-server to accept TLS');
    // The test's own view of Redis, over TLS with the same CA.
    redis = new Redis(tlsUrl, { tls: { ca: caPem }, maxRetriesPerRequest: 1 });
    await redis.ping();
  }, 30_000);

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await Promise.all(replicas.splice(0).map((r) => r.stop()));
    redis?.disconnect();
    const s = server;
    if (s && s.exitCode === null && s.signalCode === null) {
      const exited = new Promise((resolve) => s.once('exit', resolve));
      s.kill('SIGKILL');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
    await sim?.close();
  });

  it('with the CA in NODE_EXTRA_CA_CERTS, two replicas coordinate through Redis and share one poller', async () => {
    const pair = await Promise.all([0, 1].map(() => start({ REDIS_URL: tlsUrl, REDIS_KEY_PREFIX: prefix, NODE_EXTRA_CA_CERTS: ca })));
    await waitForDegraded(pair, 0, 10_000, 'replicas to reach Redis over TLS');

    const id = addGaussDbJob(sim!);
    const subs = pair.map((r) => follow(r, id));
    await Promise.all(subs.map((s) => s.waitFor(1)));
    await sleep(INTERVAL * 2);
    // The lease lives in Redis, under the job's hash-tagged key: coordination really went over TLS.
    const keys = await redis!.keys(`${prefix}:*`);
    expect(keys.some((k) => k.startsWith(`${prefix}:{`) && k.endsWith('}:lease'))).toBe(true);

    const from = Date.now();
    await sleep(INTERVAL * 8);
    const polls = pollsOf(sim!, id).filter((c) => c.at >= from).length;
    expect(polls).toBeGreaterThanOrEqual(5);
    expect(polls).toBeLessThanOrEqual(10); // ~8; two replicas polling on their own would make ~16

    complete(id);
    const ends = await Promise.all(subs.map((s) => s.done));
    expect(ends.every((e) => e.error === undefined)).toBe(true);
    expect(subs.every((s) => last(s)?.state === 'SUCCEEDED')).toBe(true);
    for (const r of pair) expect(await metric(r, 'cluster_degraded_total')).toBe(0);

    // Stopped here, so the next test can tell from Redis that no other replica ever got a session.
    await Promise.all(pair.map((r) => r.stop()));
  }, 30_000);

  it('without the CA (untrusted certificate), or with redis:// against the TLS port, a replica serves alone, degraded', async () => {
    const [untrusted, plaintext] = await Promise.all([start({ REDIS_URL: tlsUrl, LOG_LEVEL: 'debug' }), start({ REDIS_URL: tlsUrl.replace('rediss:', 'redis:') })]);
    // The gauge reads 1 from start-up; the counter says degraded mode was entered after the connection grace.
    await waitFor(async () => (await Promise.all([untrusted, plaintext].map((r) => metric(r, 'cluster_degraded_total')))).every((v) => v === 1), 10_000, 'degraded mode entered');
    await waitForDegraded([untrusted, plaintext], 1, 1000, 'degraded replicas');
    // Refused for the certificate, and by the client: the handshake never completes.
    const errors = untrusted.logs.filter((l) => l['msg'] === 'redis connection error').map((l) => String(l['err']));
    expect(errors.some((e) => /certificate/i.test(e))).toBe(true);
    const named = (await redis!.call('CLIENT', 'LIST')) as string;
    expect(named).not.toContain('name=cloud-jobs-subgraph');

    const id = addGaussDbJob(sim!);
    const sub = follow(untrusted, id);
    await sub.waitFor(1);
    await sleep(INTERVAL * 2);
    expect(pollsOf(sim!, id).length).toBeGreaterThanOrEqual(2); // polled here, locally
    complete(id);
    expect((await sub.done).error).toBeUndefined();
    expect(last(sub)?.state).toBe('SUCCEEDED');
    for (const r of [untrusted, plaintext]) expect(r.child.exitCode).toBeNull();
  }, 30_000);
});
