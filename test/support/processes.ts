/**
 * The real server (`src/main.ts`) as a child process, for tests that need several replicas and for benchmarks
 * (also the bare Apollo baseline). Its JSON log lines are kept for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildServer {
  url: string;
  /** The embedded simulator's base URL (its /_sim admin API), when there is one. */
  simulator: string | null;
  child: ChildProcess;
  /** Every JSON log line so far, parsed. */
  logs: Array<Record<string, unknown>>;
  /** SIGTERM (graceful shutdown), resolved when the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL: the process dies at once, as in a crash. */
  kill(): Promise<void>;
}

/** How long a child may take to start listening before it is killed. */
const START_TIMEOUT_MS = 25_000;

/** Starts `node --import tsx <entry.ts>` (or `node <entry.js>`, compiled) and waits for its JSON "listening" log line. */
export async function startChild(script: string, env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, script.endsWith('.ts') ? ['--import', 'tsx', script] : [script], {
    // Production mode for both servers: graphql-js skips its development-only checks.
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const logs: Array<Record<string, unknown>> = [];
  const parse = (line: string) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (logs.length < 10_000) logs.push(entry);
      return entry;
    } catch {
      return null;
    }
  };
  const lines = createInterface({ input: child.stdout! });
  // A child that never gets to listen is killed, not left running after the test gives up on it.
  const deadline = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  try {
    for await (const line of lines) {
      const entry = parse(line) as { msg?: string; url?: string; simulator?: string | null } | null;
      if (entry?.msg === 'cloud-jobs-subgraph listening' || entry?.msg === 'bare apollo listening') {
        lines.on('line', parse); // keep draining stdout
        const signal = async (name: NodeJS.Signals) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(name);
          await exited;
        };
        return {
          url: entry.url!,
          simulator: entry.simulator ?? null,
          child,
          logs,
          stop: () => signal('SIGTERM'),
          kill: () => signal('SIGKILL'),
        };
      }
    }
  } finally {
    clearTimeout(deadline);
  }
  throw new Error(`${script} exited before listening`);
}

/** Reads one metric's value (summed over its label sets) from a Prometheus text page. */
export async function scrape(metricsUrl: string, name: string, labelFilter = ''): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labelFilter && !line.includes(labelFilter)) continue;
    sum += Number(line.split(' ').at(-1));
  }
  return sum;
}
