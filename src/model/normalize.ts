/**
 * Normalization helpers shared by every service mapper: the four upstream time formats, "60%" progress,
 * empty-string-as-absent, errors and entities.
 */

// 2020-04-10 06:45:14 | 2020-04-10T06:45:14 | ...Z | ...+0800 | ...+08:00 | fractional seconds anywhere.
const TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses any upstream time into a UTC `Date`. Times without a zone are UTC (docs/architecture.md#mapping); offsets with or
 * without a colon are honored. Empty, null or unparseable input gives `null` rather than throwing, because
 * one odd timestamp must not hide the rest of a job.
 */
export function parseUpstreamTime(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  const m = TIME_RE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    t -= sign * offsetMin * 60_000;
  }
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "60%", "60", 60 → 60, clamped to 0..100; "", null, garbage → null. */
export function parseProgress(value: unknown): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const text = value.trim().replace(/%$/, '').trim();
    if (text === '') return null;
    n = Number(text);
  } else return null;
  if (!Number.isFinite(n)) return null;
  return Math.min(100, Math.max(0, Math.round(n)));
}

/** Upstream uses "", null and missing interchangeably for "absent" (docs/architecture.md#mapping). */
export function nonEmpty(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return text.trim() === '' ? null : text;
}

/** Builds a JobError from a code/message pair, or null when both are absent. */
export function jobError(code: unknown, message: unknown): { code: string | null; message: string | null } | null {
  const c = nonEmpty(code);
  const m = nonEmpty(message);
  return c === null && m === null ? null : { code: c, message: m };
}

/** De-duplicates entities by kind and id; the first occurrence wins (docs/architecture.md#mapping: "without duplicates"). */
export function uniqueEntities<E extends { kind: string; id: string }>(entities: readonly E[]): E[] {
  const seen = new Set<string>();
  return entities.filter((entity) => {
    const key = `${entity.kind}\u0000${entity.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
