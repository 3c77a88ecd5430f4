/**
 * The domain rules every service mapper shares (docs/upstream.md#statuses): each service's raw status maps to
 * one of our states through a table; whether a state is terminal follows from the state alone; a raw value no
 * source documents is UNKNOWN, not terminal, and reported; a succeeded job with no progress of its own is 100.
 */
import type { JobState, StatusModel } from './job.js';

export type Status = Pick<StatusModel, 'state' | 'terminal'>;

/** Where a raw status no source documents is reported; passed down so the mappers stay free of I/O. */
export type UnknownStatusReport = (service: string, rawStatus: string) => void;

/** Only success and failure are final. */
export function statusOf(state: JobState): Status {
  return { state, terminal: state === 'SUCCEEDED' || state === 'FAILED' };
}

/**
 * A service's status rule: the raw value, made canonical (e.g. trimmed and upper-cased), looked up in `table`;
 * anything else is UNKNOWN and reported.
 */
export function statusTable<R extends string | number>(
  service: string,
  table: Readonly<Record<string, JobState>>,
  canonical: (raw: R) => string = String,
): (raw: R, report: UnknownStatusReport) => Status {
  const states = new Map(Object.entries(table)); // a Map: a raw "constructor" must not find Object's own
  return (raw, report) => {
    const state = states.get(canonical(raw));
    if (state !== undefined) return statusOf(state);
    report(service, String(raw));
    return statusOf('UNKNOWN');
  };
}

/** Upstream's own progress when it reports one, else 100 for a succeeded job, else unknown. */
export function progressOf(state: JobState, reported: number | null = null): number | null {
  return reported ?? (state === 'SUCCEEDED' ? 100 : null);
}

/**
 * A report that passes each (service, value) on once: an upstream repeating an odd status is logged once, not
 * on every poll. Bounded, so hostile upstream values cannot grow memory. One per server.
 */
export function reportOnce(listener: UnknownStatusReport): UnknownStatusReport {
  const seen = new Set<string>();
  return (service, rawStatus) => {
    const key = `${service}\u0000${rawStatus}`;
    if (seen.has(key)) return;
    if (seen.size < 1000) seen.add(key);
    listener(service, rawStatus);
  };
}
