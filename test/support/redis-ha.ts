/**
 * Highly-available Redis deployments of a test's own, made of the machine's `redis-server` on free loopback ports:
 * a Sentinel set (primary, replica, three sentinels) and a Redis Cluster (three primaries, one replica each). They
 * exist so end-to-end tests and the benchmark can kill a primary under live replicas of the subgraph and watch a
 * real failover, which a single redis-server cannot show. Every process lives in a temp directory that `stop()`
 * removes; nothing here touches the Redis on 6379.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitFor } from './replicas.js';

const HOST = '127.0.0.1';

/** Credentials of the data nodes (a Sentinel set's sentinels have their own, `sentinelPassword`). */
export interface RedisAuth {
  /** With a username, an ACL user is created and the `default` user is switched off. */
  username?: string;
  password?: string;
  /** The ACL user's keys, channels and commands. @default '~* &* +@all' */
  rules?: string;
}

export interface Endpoint {
  host: string;
  port: number;
}

/** How long `start()` waits for a deployment to be ready for a failover, unless told otherwise. */
const START_TIMEOUT_MS = 30_000;

/**
 * A primary otherwise waits 5 s (`repl-diskless-sync-delay`) for more replicas before a full sync, which would make
 * every start, and a restarted node's rejoining, that much slower.
 */
const FAST_SYNC = ['repl-diskless-sync-delay 0'];

/**
 * Sentinel periods that are not config directives (SENTINEL DEBUG): a restarted primary is otherwise turned into a
 * replica only 4 publish periods (8 s) after it reappears, and seen synced on the next INFO, up to 10 s later.
 */
const SENTINEL_PERIODS = ['info-period', 1000, 'publish-period', 500];

/** Ports of our own, distinct among themselves (`freePort` may hand back a port it just gave, once closed). */
async function uniquePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let tries = 0; ports.size < n; tries++) {
    if (tries > n * 20) throw new Error(`could not find ${n} distinct free ports`);
    ports.add(await freePort());
  }
  return [...ports];
}

/** A value for redis.conf, quoted so a password with spaces or quotes stays one argument. */
const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** redis.conf lines that protect a data node and let it authenticate to its primary (replicas, and after failover). */
function authLines(auth: RedisAuth): string[] {
  if (!auth.password) return [];
  if (!auth.username) return [`requirepass ${quote(auth.password)}`, `masterauth ${quote(auth.password)}`];
  return [
    // Off, so a client that forgets the username is refused rather than let in as `default`.
    ...(auth.username === 'default' ? [] : ['user default off']),
    `user ${quote(auth.username)} on ${quote(`>${auth.password}`)} ${auth.rules ?? '~* &* +@all'}`,
    `masteruser ${quote(auth.username)}`,
    `masterauth ${quote(auth.password)}`,
  ];
}

function checkAuth(auth: RedisAuth): void {
  if (auth.username && !auth.password) throw new Error('a Redis username needs a password');
}

/** One command on a fresh connection that never retries, so a dead or hung node fails fast instead of queueing. */
async function query(port: number, auth: RedisAuth, command: string, ...args: Array<string | number>): Promise<unknown> {
  const redis = new Redis({
    host: HOST,
    port,
    ...(auth.username ? { username: auth.username } : {}),
    ...(auth.password ? { password: auth.password } : {}),
    lazyConnect: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 2000,
  });
  redis.on('error', () => {}); // reported by the rejected command instead
  try {
    await redis.connect();
    return await redis.call(command, ...args);
  } finally {
    redis.disconnect();
  }
}

/** Like `query`, but null when the node cannot answer (yet): for polling. */
const tryQuery = (port: number, auth: RedisAuth, command: string, ...args: Array<string | number>) =>
  query(port, auth, command, ...args).catch(() => null);

/** `INFO`-style text as a map. */
function infoFields(text: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of String(text ?? '').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1));
  }
  return fields;
}

/** A Sentinel reply listing instances (`SENTINEL REPLICAS`, `SENTINEL SENTINELS`) as one map per instance. */
function sentinelRecords(reply: unknown): Array<Map<string, string>> {
  if (!Array.isArray(reply)) return [];
  return reply.map((flat: unknown) => {
    const record = new Map<string, string>();
    const items = Array.isArray(flat) ? (flat as unknown[]) : [];
    for (let i = 0; i + 1 < items.length; i += 2) record.set(String(items[i]), String(items[i + 1]));
    return record;
  });
}

/** A healthy instance in Sentinel's eyes: none of the down or disconnected flags. */
const healthy = (flags: string | undefined) =>
  flags !== undefined && !/s_down|o_down|disconnected|failover|promoted/.test(flags);

async function readTail(file: string, lines: number): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** One redis-server (or sentinel) process, with its early output kept for a failure message. */
class ServerProcess {
  private readonly child: ChildProcess;
  private output = '';
  private spawnError: Error | null = null;
  readonly exited: Promise<void>;

  constructor(
    readonly role: string,
    readonly port: number,
    readonly logfile: string,
    private readonly conf: string,
    private readonly sentinel: boolean,
  ) {
    this.child = spawn('redis-server', sentinel ? [conf, '--sentinel'] : [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    // 'error' without 'exit' when redis-server cannot be spawned at all (not installed).
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', (err) => {
        this.spawnError = err;
        keep(Buffer.from(`cannot run redis-server: ${err.message}\n`));
        resolve();
      });
    });
  }

  get alive(): boolean {
    return this.child.pid !== undefined && !this.spawnError && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Throws if the process is gone: a poll waiting for it would otherwise only time out. */
  assertAlive(): void {
    if (this.spawnError) throw new Error(`${this.role} on port ${this.port} could not be started: ${this.spawnError.message}`);
    if (!this.alive) throw new Error(`${this.role} on port ${this.port} exited (${this.child.signalCode ?? `code ${this.child.exitCode}`})`);
  }

  /** SIGKILL, as in a crash; resolved once the process is gone. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A new process on the same config file, port and directory (a cluster node finds its nodes.conf there). */
  again(): ServerProcess {
    if (this.alive) throw new Error(`${this.role} on port ${this.port} is still running`);
    return new ServerProcess(this.role, this.port, this.logfile, this.conf, this.sentinel);
  }

  /** Synchronous, for the process 'exit' hook. */
  killNow(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  async describe(): Promise<string> {
    const log = await readTail(this.logfile, 12);
    const out = this.output.trim();
    return `--- ${this.role} :${this.port}${this.alive ? '' : ' (exited)'} ---\n${[out, log].filter(Boolean).join('\n') || '(no output)'}`;
  }
}

/**
 * The processes and temp directory of one deployment. Stopping kills what was started and removes the directory;
 * it is safe twice and after a start that failed half-way. If the test process exits without stopping (an aborted
 * run), the processes are killed on its way out too, so no redis-server outlives it.
 */
class Processes {
  private dir: string | null = null;
  private readonly procs: ServerProcess[] = [];
  private readonly onExit = () => {
    for (const p of this.procs) p.killNow();
  };

  constructor(private readonly prefix: string) {}

  async open(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), this.prefix));
    process.once('exit', this.onExit);
  }

  /** Writes `<role>-<port>/redis.conf` and starts redis-server on it (with `--sentinel` for a sentinel). */
  async spawn(role: string, port: number, lines: string[], sentinel = false): Promise<ServerProcess> {
    if (!this.dir) throw new Error('deployment is stopped');
    const home = join(this.dir, `${role}-${port}`);
    await mkdir(home);
    const logfile = join(home, 'redis.log');
    const conf = join(home, 'redis.conf');
    const base = [`port ${port}`, `bind ${HOST}`, 'daemonize no', `dir ${quote(home)}`, `logfile ${quote(logfile)}`];
    // A sentinel rewrites its own config file (its id, the sentinels and replicas it found, a new primary).
    await writeFile(conf, [...base, ...lines, ''].join('\n'), { mode: 0o600 });
    const proc = new ServerProcess(role, port, logfile, conf, sentinel);
    this.procs.push(proc);
    return proc;
  }

  /** Starts a killed process again, in its place: `stop()` and the exit hook then kill the new one. */
  restart(port: number): ServerProcess {
    if (!this.dir) throw new Error('deployment is stopped');
    const i = this.procs.findIndex((p) => p.port === port);
    if (i < 0) throw new Error(`no process of this deployment on port ${port}`);
    const proc = this.procs[i]!.again();
    this.procs[i] = proc;
    return proc;
  }

  byPort(port: number): ServerProcess | undefined {
    return this.procs.find((p) => p.port === port);
  }

  /** Fails the wait at once if any process died, rather than letting it run out the clock. */
  assertAlive(procs: ServerProcess[]): void {
    for (const p of procs) p.assertAlive();
  }

  /** The error to throw when a start failed: what was not ready, and the end of every log, read before removal. */
  async failure(what: string, err: unknown): Promise<Error> {
    const error = await this.explain(what, err);
    await this.stop();
    return error;
  }

  /** What was not ready and the end of every log, leaving the processes to `stop()` (a failed restart). */
  async explain(what: string, err: unknown): Promise<Error> {
    const reason = err instanceof Error ? err.message : String(err);
    const logs = await Promise.all(this.procs.map((p) => p.describe()));
    return new Error([`${what} did not become ready: ${reason}`, ...logs].join('\n'), { cause: err });
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.kill()));
    process.removeListener('exit', this.onExit);
    const dir = this.dir;
    this.dir = null;
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

export interface SentinelSetOptions extends RedisAuth {
  /** The monitored primary's name, what a sentinel-aware client is given as `name`. Default `mymaster`. */
  name?: string;
  /** The sentinels' own `requirepass` (Bitnami's chart sets the data nodes' password there too); none by default. */
  sentinelPassword?: string;
}

/**
 * One primary, one replica and three sentinels (quorum 2), tuned to fail over within a few seconds: the primary is
 * down after 1 s without a reply, and a failed leader election is retried after 2 × failover-timeout. A killed
 * data node can be restarted and rejoins as a replica within a few seconds (`restart`).
 */
export class SentinelSet {
  readonly name: string;
  private readonly auth: RedisAuth;
  /** What the sentinels themselves ask for. */
  private readonly sentinelAuth: RedisAuth;
  private readonly processes = new Processes('cjs-redis-sentinel-');
  private layout: { primary: number; replica: number; sentinels: number[] } | null = null;

  constructor(options: SentinelSetOptions = {}) {
    checkAuth(options);
    this.name = options.name ?? 'mymaster';
    this.auth = { ...(options.username ? { username: options.username } : {}), ...(options.password ? { password: options.password } : {}) };
    this.sentinelAuth = options.sentinelPassword ? { password: options.sentinelPassword } : {};
  }

  private get ports() {
    if (!this.layout) throw new Error('SentinelSet is not started');
    return this.layout;
  }

  /** The sentinels, as ioredis's `sentinels` option takes them. */
  get sentinels(): Endpoint[] {
    return this.ports.sentinels.map((port) => ({ host: HOST, port }));
  }

  /** `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`, for REDIS_SENTINELS. */
  get sentinelsVar(): string {
    return this.ports.sentinels.map((port) => `${HOST}:${port}`).join(',');
  }

  /** Both data nodes' ports, dead or alive. */
  get dataPorts(): number[] {
    return [this.ports.primary, this.ports.replica];
  }

  /** The data nodes still running: the ones whose keys can be scanned. */
  get liveDataPorts(): number[] {
    return this.dataPorts.filter((port) => this.processes.byPort(port)?.alive);
  }

  /** Resolves once all three sentinels agree on the primary and know the replica and each other: ready to fail over. */
  async start(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    if (this.layout) throw new Error('SentinelSet already started');
    try {
      await this.processes.open();
      const [primary, replica, ...sentinels] = await uniquePorts(5);
      this.layout = { primary: primary!, replica: replica!, sentinels };
      const deadline = Date.now() + timeoutMs;
      const left = () => Math.max(deadline - Date.now(), 1);

      const data = [
        await this.processes.spawn('primary', primary!, this.dataLines()),
        await this.processes.spawn('replica', replica!, [...this.dataLines(), `replicaof ${HOST} ${primary}`]),
      ];
      // Sentinels are started only once the replica has synced: a sentinel's first INFO of the primary then lists
      // it, instead of the next one 10 s later.
      await waitFor(
        async () => {
          this.processes.assertAlive(data);
          return infoFields(await tryQuery(replica!, this.auth, 'INFO', 'replication')).get('master_link_status') === 'up';
        },
        left(),
        'the replica to sync with the primary',
      );
      const watchers = await Promise.all(sentinels.map((port) => this.processes.spawn('sentinel', port, this.sentinelLines(primary!), true)));
      await waitFor(
        async () => {
          this.processes.assertAlive(watchers);
          const replies = await Promise.all(sentinels.map((port) => tryQuery(port, this.sentinelAuth, 'SENTINEL', 'DEBUG', ...SENTINEL_PERIODS)));
          return replies.every((reply) => reply === 'OK');
        },
        left(),
        'the sentinels to take shorter periods',
      );
      await waitFor(
        async () => {
          this.processes.assertAlive([...data, ...watchers]);
          return (await Promise.all(sentinels.map((port) => this.sentinelReady(port, primary!, replica!)))).every(Boolean);
        },
        left(),
        'all three sentinels to see the primary, the replica and each other',
      );
    } catch (err) {
      throw await this.processes.failure(`SentinelSet "${this.name}"`, err);
    }
  }

  private dataLines(): string[] {
    return ['save ""', 'appendonly no', ...FAST_SYNC, ...authLines(this.auth)];
  }

  private sentinelLines(primary: number): string[] {
    const n = this.name;
    return [
      'sentinel resolve-hostnames no',
      'sentinel announce-hostnames no',
      `sentinel monitor ${n} ${HOST} ${primary} 2`,
      `sentinel down-after-milliseconds ${n} 1000`,
      `sentinel failover-timeout ${n} 5000`,
      `sentinel parallel-syncs ${n} 1`,
      ...(this.auth.username ? [`sentinel auth-user ${n} ${quote(this.auth.username)}`] : []),
      ...(this.auth.password ? [`sentinel auth-pass ${n} ${quote(this.auth.password)}`] : []),
      // Sentinels that require a password use it with each other too.
      ...(this.sentinelAuth.password ? [`requirepass ${quote(this.sentinelAuth.password)}`, `sentinel sentinel-pass ${quote(this.sentinelAuth.password)}`] : []),
    ];
  }

  private async sentinelReady(sentinel: number, primary: number, replica: number): Promise<boolean> {
    const [addr, replicas, others, quorum] = await Promise.all([
      tryQuery(sentinel, this.sentinelAuth, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name),
      tryQuery(sentinel, this.sentinelAuth, 'SENTINEL', 'REPLICAS', this.name),
      tryQuery(sentinel, this.sentinelAuth, 'SENTINEL', 'SENTINELS', this.name),
      tryQuery(sentinel, this.sentinelAuth, 'SENTINEL', 'CKQUORUM', this.name),
    ]);
    if (!Array.isArray(addr) || Number(addr[1]) !== primary) return false;
    const r = sentinelRecords(replicas);
    const s = sentinelRecords(others);
    return (
      r.some((x) => Number(x.get('port')) === replica && healthy(x.get('flags')) && x.get('master-link-status') === 'ok') &&
      s.length === 2 &&
      s.every((x) => healthy(x.get('flags'))) &&
      String(quorum).startsWith('OK')
    );
  }

  /** The primary's port according to the first sentinel that answers. */
  async primaryPort(): Promise<number> {
    for (const sentinel of this.ports.sentinels) {
      const addr = await tryQuery(sentinel, this.sentinelAuth, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name);
      if (Array.isArray(addr)) return Number(addr[1]);
    }
    throw new Error(`no sentinel of "${this.name}" answered`);
  }

  /** SIGKILLs the current primary (a crash: no shutdown, no save) and returns its port. */
  async killPrimary(): Promise<number> {
    const port = await this.primaryPort();
    const proc = this.processes.byPort(port);
    if (!proc?.alive) throw new Error(`the primary on port ${port} is not a running process of this set`);
    await proc.kill();
    return port;
  }

  /**
   * Resolves with the new primary's port once every running sentinel names a primary other than `oldPort` and that
   * server answers `ROLE` as master: from then on a client asking any sentinel lands on a writable primary.
   */
  async waitForFailover(oldPort: number, timeoutMs = 30_000): Promise<number> {
    let found = 0;
    await waitFor(
      async () => {
        const live = this.ports.sentinels.filter((port) => this.processes.byPort(port)?.alive);
        const addrs = await Promise.all(live.map((port) => tryQuery(port, this.sentinelAuth, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name)));
        const named = new Set(addrs.map((a) => (Array.isArray(a) ? Number(a[1]) : 0)));
        const [port] = named;
        if (live.length === 0 || named.size !== 1 || !port || port === oldPort) return false;
        const role = await tryQuery(port, this.auth, 'ROLE');
        if (!Array.isArray(role) || role[0] !== 'master') return false;
        found = port;
        return true;
      },
      timeoutMs,
      `sentinels of "${this.name}" to promote a primary other than :${oldPort}`,
    );
    return found;
  }

  /**
   * Starts a killed data node again on its own config file and port, as an operator restarts a crashed primary, and
   * resolves once it is a synced replica of the current primary in every sentinel's eyes (and its own: ROLE), so a
   * second failover can promote it. It comes back as a primary of nothing, until the sentinels turn it into a
   * replica: 4 publish periods after it reappears (`SENTINEL_PERIODS`), most of the wait.
   */
  async restart(port: number, timeoutMs = START_TIMEOUT_MS): Promise<void> {
    if (!this.dataPorts.includes(port)) throw new Error(`port ${port} is not a data node of "${this.name}"`);
    const proc = this.processes.restart(port);
    try {
      await waitFor(
        async () => {
          proc.assertAlive();
          const primary = await this.primaryPort();
          const role = await tryQuery(port, this.auth, 'ROLE');
          if (!Array.isArray(role) || role[0] !== 'slave' || Number(role[2]) !== primary || role[3] !== 'connected') return false;
          return (await Promise.all(this.ports.sentinels.map((sentinel) => this.sentinelReady(sentinel, primary, port)))).every(Boolean);
        },
        timeoutMs,
        `the restarted :${port} to be a synced replica of the primary for all three sentinels`,
      );
    } catch (err) {
      throw await this.processes.explain(`data node :${port} of "${this.name}", restarted,`, err);
    }
  }

  /** Every key matching `pattern` on the current primary. */
  async keys(pattern = '*'): Promise<string[]> {
    return scanKeys(await this.primaryPort(), this.auth, pattern);
  }

  /** Kills every process started (awaiting their exit) and removes the temp directory. Safe to call twice. */
  async stop(): Promise<void> {
    await this.processes.stop();
  }
}

/** A node as `CLUSTER NODES` describes it. */
interface ClusterNode {
  id: string;
  port: number;
  flags: string[];
  /** The primary's id, for a replica. */
  master: string | null;
  connected: boolean;
  slots: string[];
}

function clusterNodes(text: unknown): ClusterNode[] {
  return String(text ?? '')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-', , , , link = '', ...slots] = line.trim().split(' ');
      return {
        id,
        port: Number(address.split('@')[0]!.split(':').at(-1)),
        flags: flags.split(','),
        master: master === '-' ? null : master,
        connected: link === 'connected',
        slots,
      };
    });
}

/** `CLUSTER SLOTS` as ranges and the port of the primary serving each. */
function slotRanges(reply: unknown): Array<{ start: number; end: number; port: number }> {
  if (!Array.isArray(reply)) return [];
  return reply.map((range: unknown[]) => ({
    start: Number(range[0]),
    end: Number(range[1]),
    port: Number((range[2] as unknown[])[1]),
  }));
}

const clusterOk = (info: unknown) => infoFields(info).get('cluster_state') === 'ok';

/** Linked to the node asking, and not suspected or failed by it. */
const settled = (node: ClusterNode) => node.connected && !node.flags.some((f) => /fail|handshake|noaddr/.test(f));

export type RedisClusterOptions = RedisAuth;

/**
 * Six `--cluster-enabled` nodes, three primaries with one replica each, with a 1 s node timeout so a replica takes
 * over a dead primary's slots within a few seconds. Each node's cluster bus port is a second free port, since
 * port + 10000 may not exist for a high `freePort`.
 */
export class RedisCluster {
  private readonly auth: RedisAuth;
  private readonly processes = new Processes('cjs-redis-cluster-');
  private nodePorts: number[] | null = null;
  /** For each node killed: the replicas it had, the candidates to take its slots. */
  private readonly killed = new Map<number, { primary: boolean; replicas: number[] }>();

  constructor(options: RedisClusterOptions = {}) {
    checkAuth(options);
    this.auth = {
      ...(options.username ? { username: options.username } : {}),
      ...(options.password ? { password: options.password } : {}),
      ...(options.rules ? { rules: options.rules } : {}),
    };
  }

  /** All six nodes' ports, dead or alive. */
  get ports(): number[] {
    if (!this.nodePorts) throw new Error('RedisCluster is not started');
    return [...this.nodePorts];
  }

  get livePorts(): number[] {
    return this.ports.filter((port) => this.processes.byPort(port)?.alive);
  }

  /** `127.0.0.1:p1,...` of all six nodes, for REDIS_CLUSTER_NODES. */
  get nodesVar(): string {
    return this.ports.map((port) => `${HOST}:${port}`).join(',');
  }

  /** The nodes as `new Redis.Cluster(nodes)` takes them. */
  get nodes(): Endpoint[] {
    return this.ports.map((port) => ({ host: HOST, port }));
  }

  /** Resolves once every node reports `cluster_state:ok` and each primary has a replica that has synced. */
  async start(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    if (this.nodePorts) throw new Error('RedisCluster already started');
    try {
      await this.processes.open();
      const all = await uniquePorts(12);
      const ports = all.slice(0, 6);
      this.nodePorts = ports;
      const deadline = Date.now() + timeoutMs;
      const left = () => Math.max(deadline - Date.now(), 1);
      const procs = await Promise.all(
        ports.map((port, i) =>
          this.processes.spawn('node', port, [
            'cluster-enabled yes',
            'cluster-config-file nodes.conf',
            'cluster-node-timeout 1000',
            `cluster-port ${all[6 + i]}`,
            'save ""',
            'appendonly no',
            ...FAST_SYNC,
            ...authLines(this.auth),
          ]),
        ),
      );
      await waitFor(
        async () => {
          this.processes.assertAlive(procs);
          return (await Promise.all(ports.map((port) => tryQuery(port, this.auth, 'PING')))).every((r) => r === 'PONG');
        },
        left(),
        'the six nodes to answer PING',
      );
      await this.create(ports, left());
      await waitFor(
        async () => {
          this.processes.assertAlive(procs);
          return this.ready(ports);
        },
        left(),
        'cluster_state:ok on every node, with each primary\'s replica attached and synced',
      );
    } catch (err) {
      throw await this.processes.failure('RedisCluster', err);
    }
  }

  /** `redis-cli --cluster create`, with the password in REDISCLI_AUTH rather than on the command line. */
  private create(ports: number[], timeoutMs: number): Promise<void> {
    const args = ['--cluster', 'create', ...ports.map((port) => `${HOST}:${port}`), '--cluster-replicas', '1', '--cluster-yes'];
    if (this.auth.username) args.push('--user', this.auth.username);
    const env = { ...process.env, ...(this.auth.password ? { REDISCLI_AUTH: this.auth.password } : {}) };
    return new Promise((resolve, reject) => {
      execFile('redis-cli', args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
        const why = err?.killed ? `timed out after ${timeoutMs} ms` : err?.message;
        if (err) reject(new Error(`redis-cli --cluster create failed: ${why}\n${stdout}${stderr}`.trimEnd()));
        else resolve();
      });
    });
  }

  private async ready(ports: number[]): Promise<boolean> {
    const [infos, views] = await Promise.all([
      Promise.all(ports.map((port) => tryQuery(port, this.auth, 'CLUSTER', 'INFO'))),
      Promise.all(ports.map((port) => tryQuery(port, this.auth, 'CLUSTER', 'NODES'))),
    ]);
    if (!infos.every(clusterOk)) return false;
    for (const view of views) {
      const nodes = clusterNodes(view);
      if (nodes.length !== 6) return false;
      if (!nodes.every(settled)) return false;
      const primaries = nodes.filter((n) => n.flags.includes('master') && n.slots.length > 0);
      if (primaries.length !== 3 || !primaries.every((p) => nodes.some((n) => n.master === p.id))) return false;
    }
    const replicas = clusterNodes(views[0]).filter((n) => n.master !== null);
    const links = await Promise.all(replicas.map((n) => tryQuery(n.port, this.auth, 'INFO', 'replication')));
    return links.every((info) => infoFields(info).get('master_link_status') === 'up');
  }

  /** A running node, to ask about the cluster. */
  private anyLive(): number {
    const port = this.livePorts[0];
    if (port === undefined) throw new Error('no node of the cluster is running');
    return port;
  }

  /** The port of the primary serving `key`'s slot, as a running node sees it. */
  async primaryPortForKey(key: string): Promise<number> {
    const node = this.anyLive();
    const slot = Number(await query(node, this.auth, 'CLUSTER', 'KEYSLOT', key));
    const range = slotRanges(await query(node, this.auth, 'CLUSTER', 'SLOTS')).find((r) => r.start <= slot && slot <= r.end);
    if (!range) throw new Error(`no primary serves slot ${slot} (of key ${key})`);
    return range.port;
  }

  /** The ports of the primaries serving slots, as a running node sees it. */
  async primaryPorts(): Promise<number[]> {
    const ranges = slotRanges(await query(this.anyLive(), this.auth, 'CLUSTER', 'SLOTS'));
    return [...new Set(ranges.map((r) => r.port))].sort((a, b) => a - b);
  }

  /** SIGKILLs one node, remembering first which replicas it had (the candidates for `waitForPromotion`). */
  async killNode(port: number): Promise<void> {
    const proc = this.processes.byPort(port);
    if (!proc?.alive) throw new Error(`no running node of this cluster on port ${port}`);
    const nodes = clusterNodes(await query(port, this.auth, 'CLUSTER', 'NODES'));
    const self = nodes.find((n) => n.flags.includes('myself'));
    const primary = !!self && self.flags.includes('master');
    this.killed.set(port, { primary, replicas: nodes.filter((n) => self && n.master === self.id).map((n) => n.port) });
    await proc.kill();
  }

  /**
   * Resolves with the port of the replica that took over the slots of the primary killed on `deadPort`, once it
   * answers `ROLE` as master, no running node maps a slot to `deadPort`, and every running node reports
   * `cluster_state:ok`.
   */
  async waitForPromotion(deadPort: number, timeoutMs = 30_000): Promise<number> {
    const dead = this.killed.get(deadPort);
    if (!dead) throw new Error(`port ${deadPort} was not killed with killNode()`);
    if (!dead.primary || dead.replicas.length === 0) throw new Error(`the node on port ${deadPort} was not a primary with a replica`);
    let promoted = 0;
    await waitFor(
      async () => {
        const live = this.livePorts;
        const roles = await Promise.all(dead.replicas.map((port) => tryQuery(port, this.auth, 'ROLE')));
        const i = roles.findIndex((role, j) => Array.isArray(role) && role[0] === 'master' && live.includes(dead.replicas[j]!));
        if (i < 0) return false;
        const [infos, slots] = await Promise.all([
          Promise.all(live.map((port) => tryQuery(port, this.auth, 'CLUSTER', 'INFO'))),
          Promise.all(live.map((port) => tryQuery(port, this.auth, 'CLUSTER', 'SLOTS'))),
        ]);
        if (!infos.every(clusterOk)) return false;
        if (!slots.every((reply) => Array.isArray(reply) && slotRanges(reply).every((r) => r.port !== deadPort))) return false;
        promoted = dead.replicas[i]!;
        return true;
      },
      timeoutMs,
      `a replica of :${deadPort} to take over its slots`,
    );
    return promoted;
  }

  /**
   * Starts a killed node again on its own config file, port and nodes.conf, as an operator restarts a crashed node,
   * and resolves once it is a replica with `master_link_status:up` and every running node reports `cluster_state:ok`
   * and sees it connected, without a failure flag: a killed primary whose slots were taken over rejoins as a replica
   * of the node that took them, ready to take them back in a second failover.
   */
  async restart(port: number, timeoutMs = START_TIMEOUT_MS): Promise<void> {
    const proc = this.processes.restart(port);
    this.killed.delete(port);
    try {
      await waitFor(
        async () => {
          proc.assertAlive();
          const live = this.livePorts;
          const [replication, infos, views] = await Promise.all([
            tryQuery(port, this.auth, 'INFO', 'replication'),
            Promise.all(live.map((p) => tryQuery(p, this.auth, 'CLUSTER', 'INFO'))),
            Promise.all(live.map((p) => tryQuery(p, this.auth, 'CLUSTER', 'NODES'))),
          ]);
          const link = infoFields(replication);
          if (link.get('role') !== 'slave' || link.get('master_link_status') !== 'up' || !infos.every(clusterOk)) return false;
          return views.every((view) => {
            const node = clusterNodes(view).find((n) => n.port === port);
            return !!node && settled(node) && node.flags.includes('slave');
          });
        },
        timeoutMs,
        `the restarted :${port} to rejoin as a synced replica, with cluster_state:ok everywhere`,
      );
    } catch (err) {
      throw await this.processes.explain(`cluster node :${port}, restarted,`, err);
    }
  }

  /** Every key matching `pattern` across the running primaries. */
  async keys(pattern = '*'): Promise<string[]> {
    const primaries = (await this.primaryPorts()).filter((port) => this.processes.byPort(port)?.alive);
    return (await Promise.all(primaries.map((port) => scanKeys(port, this.auth, pattern)))).flat();
  }

  /** Kills every process started (awaiting their exit) and removes the temp directory. Safe to call twice. */
  async stop(): Promise<void> {
    await this.processes.stop();
  }
}

async function scanKeys(port: number, auth: RedisAuth, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = (await query(port, auth, 'SCAN', cursor, 'MATCH', pattern, 'COUNT', 1000)) as [string, string[]];
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

export interface StoredEntry {
  port: number;
  key: string;
  type: string;
  /** The value as text: a string as is, anything else as JSON of what its read command returned. */
  value: string;
}

/** How to read a whole value of each type, for `scanAll`. */
const READS: Record<string, (key: string) => [string, ...Array<string | number>]> = {
  string: (key) => ['GET', key],
  hash: (key) => ['HGETALL', key],
  list: (key) => ['LRANGE', key, 0, -1],
  set: (key) => ['SMEMBERS', key],
  zset: (key) => ['ZRANGE', key, 0, -1, 'WITHSCORES'],
  stream: (key) => ['XRANGE', key, '-', '+'],
};

/**
 * Every key and its value on the given running nodes, so a test can assert that no secret (a token, a key) was
 * stored in Redis. Cluster replicas are read with READONLY; keys may be listed once per node that holds them.
 */
export async function scanAll(ports: number[], auth: RedisAuth | string = {}): Promise<StoredEntry[]> {
  const credentials = typeof auth === 'string' ? { password: auth } : auth;
  const entries: StoredEntry[] = [];
  for (const port of ports) {
    const redis = new Redis({
      host: HOST,
      port,
      ...(credentials.username ? { username: credentials.username } : {}),
      ...(credentials.password ? { password: credentials.password } : {}),
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 1000,
      commandTimeout: 5000,
    });
    redis.on('error', () => {});
    try {
      await redis.connect();
      await redis.call('READONLY').catch(() => {}); // an error outside cluster mode, where it is not needed
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const type = await redis.type(key);
          const read = READS[type];
          if (type === 'none') continue; // expired between SCAN and TYPE
          const raw = read ? await redis.call(...read(key)) : null;
          entries.push({ port, key, type, value: typeof raw === 'string' ? raw : JSON.stringify(raw) });
        }
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
  return entries;
}

/** How many connections subscribe to `channel` on the server at `port`: PUBSUB NUMSUB, or SHARDNUMSUB for a shard's. */
export async function channelSubscribers(port: number, auth: RedisAuth, channel: string, sharded = false): Promise<number> {
  const reply = await query(port, auth, 'PUBSUB', sharded ? 'SHARDNUMSUB' : 'NUMSUB', channel);
  return Number((reply as unknown[])[1]);
}
