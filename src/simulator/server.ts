/**
 * The HTTP simulator of the four job APIs: routing, the gateway's auth check, faults and call recording around
 * the per-service handlers. `close()` also destroys open sockets (keep-alive, hanging requests), so it never hangs.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleAdmin } from './admin.js';
import { allowsProject, authenticate, presentedCredential, type AuthConfig, type ProjectScope } from './auth.js';
import { CallLog } from './calls.js';
import { DEMO } from './demo.js';
import { APIG_ERRORS, apigError, serviceErrorFor } from './errors.js';
import { FaultRegistry, type Fault } from './faults.js';
import { JOB_ROUTES, matchRoute, type RouteContext, type RouteMatch } from './routes/index.js';
import { newRequestId, serializeBody, writeResponse, type SimResponse } from './response.js';
import { seedDemoJobs } from './seed.js';
import { JobStore } from './store.js';

export interface SimulatorOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Known IAM tokens and the projects each may use. Default `{ 'demo-token': { projects: '*' } }`. */
  tokens?: Record<string, { projects: ProjectScope }>;
  /** AK/SK pairs the gateway accepts (projects default '*'). Default: the demo pair. */
  accessKeys?: Array<{ ak: string; sk: string; projects?: ProjectScope }>;
  /** Load the demo jobs (default true). */
  seed?: boolean;
  /** Clock in ms (default Date.now): lifecycles and the X-Sdk-Date skew check use it. */
  now?: () => number;
}

export interface Simulator {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:43123. */
  url: string;
  store: JobStore;
  faults: FaultRegistry;
  calls: CallLog;
  /** Stops listening and destroys every open socket, hanging requests included. Idempotent. */
  close(): Promise<void>;
}

function authConfig(options: SimulatorOptions, now: () => number): AuthConfig {
  const tokens = options.tokens ?? { [DEMO.token]: { projects: '*' } };
  const keys = options.accessKeys ?? [{ ak: DEMO.ak, sk: DEMO.sk }];
  return {
    tokens: new Map(Object.entries(tokens).map(([token, { projects }]) => [token, projects])),
    accessKeys: new Map(keys.map(({ ak, sk, projects }) => [ak, { sk, projects: projects ?? '*' }])),
    now,
  };
}

/** The response a fault dictates, or null when normal handling should go on (a fault with only delay/headers). */
function faultResponse(fault: Fault, match: RouteMatch, ctx: RouteContext): { response: SimResponse; raw?: string } | null {
  if (fault.malformed) {
    const text = serializeBody(match.route.handle(ctx).body);
    const truncated = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    return { response: { status: fault.status ?? 200, body: null }, raw: truncated };
  }
  if (fault.body !== undefined) return { response: { status: fault.status ?? 200, body: fault.body } };
  if (fault.status === undefined) return null;
  if (fault.status >= 400) return { response: serviceErrorFor(match.route.service, fault.status, ctx.requestId) };
  return { response: { ...match.route.handle(ctx), status: fault.status } };
}

export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const store = new JobStore(now, DEMO.projectId);
  if (options.seed ?? true) seedDemoJobs(store, now());
  const faults = new FaultRegistry();
  const calls = new CallLog();
  const auth = authConfig(options, now);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function handleJobRoute(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const method = req.method ?? 'GET';
    // All job routes are GET; anything else is a path the gateway does not publish.
    const match = method === 'GET' ? matchRoute(JOB_ROUTES, url.pathname, url.searchParams) : null;
    const presented = presentedCredential(req.headers);
    const call = calls.record({
      route: match?.route.id ?? null,
      service: match?.route.service ?? null,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      projectId: match?.projectId ?? null,
      ...(match?.jobId !== undefined ? { jobId: match.jobId } : {}),
      authKind: presented.kind,
      ...(presented.credential !== undefined ? { credential: presented.credential } : {}),
      status: null,
      at: now(),
      requestId,
    });
    const send = (response: SimResponse, extraHeaders: Record<string, string> = {}, raw?: string) => {
      call.status = response.status;
      writeResponse(res, requestId, { ...response, headers: { ...response.headers, ...extraHeaders } }, raw);
    };
    if (!match) return send(apigError(404, APIG_ERRORS.notFound, requestId));

    const { route, projectId, jobId } = match;
    const ctx: RouteContext = { projectId, jobId, query: url.searchParams, store, requestId };
    const fault = faults.take({ route: route.id, service: route.service, projectId, jobId });
    if (fault?.delayMs) {
      await sleep(fault.delayMs);
      if (closed || res.destroyed) return;
    }
    if (fault?.hang) return;
    if (fault?.reset) {
      req.socket.resetAndDestroy();
      return;
    }
    const dictated = fault ? faultResponse(fault, match, ctx) : null;
    if (dictated) return send(dictated.response, fault?.headers, dictated.raw);

    const outcome = authenticate(method, url, req.headers, auth);
    const response = !outcome.ok
      ? apigError(401, outcome.error, requestId)
      : !allowsProject(outcome.projects, projectId)
        ? serviceErrorFor(route.service, 403, requestId)
        : route.handle(ctx);
    send(response, fault?.headers);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    let url: URL;
    try {
      // Concatenated rather than resolved, so a path starting with `//` stays a path.
      url = new URL(`http://simulator.invalid${req.url?.startsWith('/') ? req.url : `/${req.url ?? ''}`}`);
    } catch {
      return writeResponse(res, requestId, apigError(400, APIG_ERRORS.malformed, requestId));
    }
    if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) {
      return writeResponse(res, requestId, await handleAdmin(req, url, { store, faults, calls }));
    }
    await handleJobRoute(req, res, url, requestId);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A simulator bug must show up in tests as a 500, not as a hung request.
      const requestId = newRequestId();
      writeResponse(res, requestId, {
        status: 500,
        body: { error_code: 'SIM.0500', error_msg: error instanceof Error ? error.message : 'internal error' },
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    return closing;
  };

  return { url, store, faults, calls, close };
}
