/**
 * Lenient coercion of raw job input (typed test input or JSON from the admin API) into record fields.
 * Normalizers use these so one code path fills defaults for `store.add`, timeline steps and `store.update`.
 */
import type { RecordIdentity } from './identity.js';

/** Epoch milliseconds on the simulator clock; null when upstream would leave the time empty. */
export type Instant = number | null;

export type Raw = Record<string, unknown>;

export function isRaw(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asString(value: unknown, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  return String(value);
}

/** undefined → fallback; explicit null stays null (so a patch can clear a field). */
export function asNullableString(value: unknown, fallback: string | null = null): string | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  return String(value);
}

export function asNumber(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
}

export function asNullableNumber(value: unknown, fallback: number | null = null): number | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  return asNumber(value, fallback ?? 0);
}

export function asBoolean(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

/** Accepts epoch ms or any Date.parse-able text (handy for the admin API); explicit null clears. */
export function asInstant(value: unknown, fallback: Instant): Instant {
  if (value === undefined) return fallback;
  if (value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return parsed;
  }
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
  return fallback;
}

export function asRawArray(value: unknown): Raw[] {
  return Array.isArray(value) ? value.filter(isRaw) : [];
}

/** What a Workspace or App Streaming job record starts with: identity, type, status and times. */
export function jobHead(raw: Raw, identity: RecordIdentity, defaultJobType: string) {
  return {
    ...identity,
    jobType: asString(raw.jobType, defaultJobType),
    status: asString(raw.status, 'WAITING'),
    beginTime: asInstant(raw.beginTime, identity.createdAt),
    endTime: asInstant(raw.endTime, null),
  };
}
