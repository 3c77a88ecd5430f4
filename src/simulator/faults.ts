/**
 * Injected failures for client tests. A matching fault applies to a job route after the call is recorded and
 * before normal handling (auth included), in the order the faults were added; the first match wins.
 */
import { randomBytes } from 'node:crypto';
import { isServiceName, type ServiceName } from './records/index.js';
import { isRouteId, type RouteId } from './routes/index.js';

export interface FaultSpec {
  route?: RouteId;
  service?: ServiceName;
  projectId?: string;
  /** Path job id, or GaussDB's `?id=`; list routes have none, so a jobId fault never matches them. */
  jobId?: string;
  /** Respond with this status; without `body`, the service's own error envelope for it. */
  status?: number;
  /** JSON-serialized, or sent verbatim when a string; without `status`, sent with 200. */
  body?: unknown;
  /** Added to whatever response goes out, e.g. `{ 'Retry-After': '2' }`. */
  headers?: Record<string, string>;
  /** Wait this long first (then the rest of the fault, or normal handling). */
  delayMs?: number;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
  /** Answer 200 (or `status`) with the normal body cut in half: invalid JSON. */
  malformed?: boolean;
  /** Never answer (until the client gives up or the simulator closes). */
  hang?: boolean;
  /** Apply this many times, then disappear; default unlimited. */
  times?: number;
}

export interface Fault extends FaultSpec {
  id: string;
  /** How often it has applied. */
  hits: number;
}

export interface FaultTarget {
  route: RouteId;
  service: ServiceName;
  projectId: string;
  jobId: string | undefined;
}

export class FaultValidationError extends Error {
  override readonly name = 'FaultValidationError';
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new FaultValidationError(message);
}

/** Validates untrusted input (the admin API), so a typo fails loudly rather than never matching. */
export function validateFaultSpec(spec: unknown): FaultSpec {
  check(typeof spec === 'object' && spec !== null && !Array.isArray(spec), 'a fault must be an object');
  const s = spec as Record<string, unknown>;
  check(s.route === undefined || isRouteId(s.route), `unknown route ${String(s.route)}`);
  check(s.service === undefined || isServiceName(s.service), `unknown service ${String(s.service)}`);
  for (const key of ['projectId', 'jobId'] as const) {
    check(s[key] === undefined || typeof s[key] === 'string', `${key} must be a string`);
  }
  const status = s.status;
  const isHttpStatus = typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599;
  check(status === undefined || isHttpStatus, 'status must be an HTTP status');
  check(s.delayMs === undefined || (typeof s.delayMs === 'number' && s.delayMs >= 0), 'delayMs must be >= 0');
  check(s.times === undefined || (Number.isInteger(s.times) && (s.times as number) >= 1), 'times must be an integer >= 1');
  for (const key of ['reset', 'malformed', 'hang'] as const) {
    check(s[key] === undefined || typeof s[key] === 'boolean', `${key} must be a boolean`);
  }
  check(
    s.headers === undefined ||
      (typeof s.headers === 'object' && s.headers !== null && Object.values(s.headers).every((v) => typeof v === 'string')),
    'headers must map names to strings',
  );
  return s as FaultSpec;
}

export class FaultRegistry {
  readonly #faults: Fault[] = [];

  add(spec: FaultSpec): string {
    const valid = validateFaultSpec(spec);
    const id = `fault-${randomBytes(4).toString('hex')}`;
    this.#faults.push({ ...structuredClone(valid), id, hits: 0 });
    return id;
  }

  remove(id: string): boolean {
    const index = this.#faults.findIndex((f) => f.id === id);
    if (index === -1) return false;
    this.#faults.splice(index, 1);
    return true;
  }

  clear(): number {
    return this.#faults.splice(0).length;
  }

  list(): Fault[] {
    return structuredClone(this.#faults);
  }

  /** The first fault matching the target, counted as used (and dropped once its `times` are spent). */
  take(target: FaultTarget): Fault | undefined {
    const index = this.#faults.findIndex(
      (f) =>
        (f.route === undefined || f.route === target.route) &&
        (f.service === undefined || f.service === target.service) &&
        (f.projectId === undefined || f.projectId === target.projectId) &&
        (f.jobId === undefined || f.jobId === target.jobId),
    );
    const fault = this.#faults[index];
    if (!fault) return undefined;
    fault.hits += 1;
    if (fault.times !== undefined && fault.hits >= fault.times) this.#faults.splice(index, 1);
    return structuredClone(fault);
  }
}
