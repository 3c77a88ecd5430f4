/**
 * The test-control API under `/_sim/` (no auth), for out-of-process tests: calls, faults and jobs over HTTP.
 *
 *   GET    /_sim/calls[?route=&service=&jobId=&projectId=&authKind=&status=]   → { calls }
 *   DELETE /_sim/calls                                                         → { cleared }
 *   GET    /_sim/faults                                                        → { faults }
 *   POST   /_sim/faults             body FaultSpec                             → 201 { id }
 *   DELETE /_sim/faults[/{id}]                                                 → { cleared } | { removed }
 *   POST   /_sim/jobs/{service}     body JobInput                              → 201 { job }
 *   GET    /_sim/jobs/{service}/{projectId}/{jobId}                            → { job }
 *   PATCH  /_sim/jobs/{service}/{projectId}/{jobId}   body JobUpdate           → { job }
 *   GET    /_sim/demo                                                          → DEMO
 */
import type { IncomingMessage } from 'node:http';
import type { CallFilter, CallLog } from './calls.js';
import { DEMO } from './demo.js';
import { FaultValidationError, type FaultRegistry, type FaultSpec } from './faults.js';
import { isServiceName, type JobInput, type JobUpdate, type ServiceName } from './records/index.js';
import { json, type SimResponse } from './response.js';
import { isRouteId } from './routes/index.js';
import { UnknownJobError, type JobStore } from './store.js';
import { PatchError } from './timeline.js';

export interface AdminDeps {
  store: JobStore;
  faults: FaultRegistry;
  calls: CallLog;
}

const MAX_BODY_BYTES = 1024 * 1024;

class AdminInputError extends Error {}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new AdminInputError('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw new AdminInputError('body is not JSON');
  }
}

function callFilter(query: URLSearchParams): CallFilter {
  const filter: CallFilter = {};
  const route = query.get('route');
  const service = query.get('service');
  const authKind = query.get('authKind');
  const status = query.get('status');
  if (route !== null) {
    if (!isRouteId(route)) throw new AdminInputError(`unknown route ${route}`);
    filter.route = route;
  }
  if (service !== null) {
    if (!isServiceName(service)) throw new AdminInputError(`unknown service ${service}`);
    filter.service = service;
  }
  if (authKind === 'token' || authKind === 'aksk' || authKind === 'none') filter.authKind = authKind;
  if (status !== null) filter.status = Number(status);
  const jobId = query.get('jobId');
  const projectId = query.get('projectId');
  if (jobId !== null) filter.jobId = jobId;
  if (projectId !== null) filter.projectId = projectId;
  return filter;
}

function notFound(message: string): SimResponse {
  return json(404, { error: message });
}

async function route(req: IncomingMessage, url: URL, deps: AdminDeps): Promise<SimResponse> {
  const method = req.method ?? 'GET';
  const parts = url.pathname.split('/').slice(2).map(decodeURIComponent);
  const [resource, ...rest] = parts;

  if (resource === 'demo' && rest.length === 0 && method === 'GET') return json(200, DEMO);

  if (resource === 'calls' && rest.length === 0) {
    if (method === 'GET') return json(200, { calls: deps.calls.list(callFilter(url.searchParams)) });
    if (method === 'DELETE') return json(200, { cleared: deps.calls.reset() });
  }

  if (resource === 'faults') {
    if (rest.length === 0 && method === 'GET') return json(200, { faults: deps.faults.list() });
    if (rest.length === 0 && method === 'POST') {
      return json(201, { id: deps.faults.add((await readJson(req)) as FaultSpec) });
    }
    if (rest.length === 0 && method === 'DELETE') return json(200, { cleared: deps.faults.clear() });
    if (rest.length === 1 && method === 'DELETE') {
      return deps.faults.remove(rest[0]!) ? json(200, { removed: rest[0] }) : notFound(`no fault ${rest[0]}`);
    }
  }

  if (resource === 'jobs' && rest.length >= 1) {
    const service = rest[0];
    if (!isServiceName(service)) return notFound(`unknown service ${service}`);
    if (rest.length === 1 && method === 'POST') {
      const body = await readJson(req);
      return json(201, { job: deps.store.add(service, body as JobInput<ServiceName>) });
    }
    if (rest.length === 3) {
      const [, projectId, jobId] = rest as [string, string, string];
      if (method === 'GET') {
        const job = deps.store.get(service, projectId, jobId);
        return job ? json(200, { job }) : notFound(`no ${service} job ${jobId}`);
      }
      if (method === 'PATCH') {
        const body = await readJson(req);
        return json(200, { job: deps.store.update(service, projectId, jobId, body as JobUpdate<ServiceName>) });
      }
    }
  }

  return notFound(`no admin route ${method} ${url.pathname}`);
}

export async function handleAdmin(req: IncomingMessage, url: URL, deps: AdminDeps): Promise<SimResponse> {
  try {
    return await route(req, url, deps);
  } catch (error) {
    if (error instanceof UnknownJobError) return notFound(error.message);
    if (error instanceof AdminInputError || error instanceof PatchError || error instanceof FaultValidationError) {
      return json(400, { error: error.message });
    }
    if (error instanceof URIError) return json(400, { error: 'malformed path' });
    throw error;
  }
}
