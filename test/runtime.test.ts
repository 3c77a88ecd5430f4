/**
 * The runtime promises: the suite runs on a supported Node.js line (package.json `engines`), and `npm start` runs
 * the compiled JavaScript in dist/ (built when missing or stale), not the TypeScript sources.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

describe('Node.js', () => {
  it(`runs on a supported line (${pkg.engines.node})`, () => {
    expect(semver.satisfies(process.versions.node, pkg.engines.node), `Node ${process.versions.node} is outside engines ${pkg.engines.node}`).toBe(true);
  });

  it('supports the active LTS (26) and the oldest maintained LTS (22), and not the ended 20', () => {
    expect(semver.satisfies('26.10.0', pkg.engines.node)).toBe(true);
    expect(semver.satisfies('22.12.0', pkg.engines.node)).toBe(true);
    expect(semver.satisfies('20.20.2', pkg.engines.node)).toBe(false);
  });
});

describe('npm start', () => {
  it('runs compiled JavaScript, and tsx is not a runtime dependency', () => {
    expect(pkg.scripts['start']).toMatch(/node .*dist\/main\.js/);
    expect(pkg.scripts['prestart']).toContain('build-if-stale');
    expect(pkg.dependencies['tsx']).toBeUndefined();
  });

  it('serves queries from dist/ and exits 0 on SIGTERM', { timeout: 180_000 }, async () => {
    const child = spawn('npm', ['start'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true, // its own process group: SIGTERM reaches node behind npm's shell
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let serverPid = 0;
    try {
      let url: string | undefined;
      for await (const line of createInterface({ input: child.stdout! })) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'cloud-jobs-subgraph listening') {
          url = entry.url;
          break;
        }
      }
      expect(url).toBeDefined();
      // The server is node running dist/main.js (not tsx running src/main.ts).
      serverPid = compiledServerIn(child.pid!);
      const res = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
      // What a process manager does: SIGTERM to the server; npm then exits with the server's code.
      process.kill(serverPid, 'SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});

/** The pid of the process in this process group (npm → sh → node) whose arguments are `… dist/main.js`. */
function compiledServerIn(groupId: number): number {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (Number(fields[2]) === groupId && cmdline.split('\0').includes('dist/main.js')) return Number(pid);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error('no node process running dist/main.js in the group');
}
