/** Route ids, the handler contract, and path matching for the job routes of docs/upstream.md#simulator. */
import type { ServiceName } from '../records/index.js';
import type { SimResponse } from '../response.js';
import type { JobStore } from '../store.js';

/** Stable names for the job routes, used by faults, call records and tests. */
export const ROUTE_IDS = [
  'workspace.showJob',
  'workspace.listSubJobs',
  'appStreaming.showJobV1',
  'appStreaming.showJobV2',
  'appStreaming.listSubJobs',
  'appStreaming.countSubJobs',
  'gaussdb.showJob',
  'gaussdb.listImmediateJobs',
  'cloudPhone.showJob',
  'cloudPhone.listJobs',
] as const;
export type RouteId = (typeof ROUTE_IDS)[number];

export function isRouteId(value: unknown): value is RouteId {
  return typeof value === 'string' && (ROUTE_IDS as readonly string[]).includes(value);
}

export interface RouteContext {
  projectId: string;
  jobId: string | undefined;
  query: URLSearchParams;
  store: JobStore;
  requestId: string;
}

export interface RouteDef {
  id: RouteId;
  service: ServiceName;
  /** Path template with `{project_id}` and optionally `{job_id}`; all job routes are GET. */
  path: string;
  /** GaussDB ShowJob carries its job id in the query (`?id=`). */
  jobIdQuery?: string;
  handle(ctx: RouteContext): SimResponse;
}

export interface RouteMatch {
  route: RouteDef;
  projectId: string;
  jobId: string | undefined;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Exact match on segments (no trailing-slash leniency, like a gateway with published paths). */
export function matchRoute(routes: readonly RouteDef[], pathname: string, query: URLSearchParams): RouteMatch | null {
  const segments = pathname.split('/').slice(1);
  for (const route of routes) {
    const pattern = route.path.split('/').slice(1);
    if (pattern.length !== segments.length) continue;
    let projectId: string | undefined;
    let jobId: string | undefined;
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const expected = pattern[i]!;
      const actual = segments[i]!;
      if (expected === '{project_id}' || expected === '{job_id}') {
        const value = decodeSegment(actual);
        if (value === null || value === '') ok = false;
        else if (expected === '{project_id}') projectId = value;
        else jobId = value;
      } else if (expected !== actual) {
        ok = false;
      }
    }
    if (!ok || projectId === undefined) continue;
    if (route.jobIdQuery !== undefined) jobId = query.get(route.jobIdQuery) ?? undefined;
    return { route, projectId, jobId };
  }
  return null;
}
