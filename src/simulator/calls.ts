/** A record of every request to a job route (and of unmatched ones), for tests to count and inspect. */
import type { AuthKind } from './auth.js';
import type { ServiceName } from './records/index.js';
import type { RouteId } from './routes/index.js';

export interface CallRecord {
  /** null for a path or method no route serves (answered 404 APIG.0101). */
  route: RouteId | null;
  service: ServiceName | null;
  method: string;
  path: string;
  /** The last value of each query key. */
  query: Record<string, string>;
  projectId: string | null;
  jobId?: string;
  authKind: AuthKind;
  /** Fingerprint (`token:<8 hex>`) or `ak:<AK>`; never a secret. */
  credential?: string;
  /** null while unanswered, or when the fault hung or reset the connection. */
  status: number | null;
  /** Simulator clock (ms) when the request arrived. */
  at: number;
  requestId: string;
}

export interface CallFilter {
  route?: RouteId;
  service?: ServiceName;
  jobId?: string;
  projectId?: string;
  authKind?: AuthKind;
  status?: number;
}

function matches(call: CallRecord, filter: CallFilter): boolean {
  return (Object.keys(filter) as Array<keyof CallFilter>).every(
    (key) => filter[key] === undefined || call[key] === filter[key],
  );
}

/** A long-running `npm start` keeps polling the simulator: keep the newest records only. */
export const MAX_CALL_RECORDS = 10_000;

export class CallLog {
  readonly #calls: CallRecord[] = [];

  /** Stores the record and returns it live, so the server can fill in `status` when it answers. */
  record(call: CallRecord): CallRecord {
    this.#calls.push(call);
    // Drop in chunks so trimming stays cheap per call.
    if (this.#calls.length > MAX_CALL_RECORDS * 1.1) this.#calls.splice(0, this.#calls.length - MAX_CALL_RECORDS);
    return call;
  }

  list(filter: CallFilter = {}): CallRecord[] {
    return structuredClone(this.#calls.filter((call) => matches(call, filter)));
  }

  count(filter: CallFilter = {}): number {
    return this.#calls.filter((call) => matches(call, filter)).length;
  }

  reset(): number {
    return this.#calls.splice(0).length;
  }
}
