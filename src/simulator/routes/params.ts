/** Query-parameter reading shared by the routes: integers within documented ranges, enumerations. */

export const INVALID = Symbol('invalid');

/** Absent → fallback; anything but a decimal integer within [min, max] → INVALID. */
export function intParam(
  query: URLSearchParams,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number | typeof INVALID {
  const text = query.get(name);
  if (text === null) return fallback;
  if (!/^-?\d+$/.test(text.trim())) return INVALID;
  const value = Number(text.trim());
  return value >= min && value <= max ? value : INVALID;
}

/** Every value given for `name` (repeated keys allowed), without empties. */
export function allValues(query: URLSearchParams, name: string): string[] {
  return query.getAll(name).filter((v) => v !== '');
}

export function page<T>(items: readonly T[], offset: number, limit: number): T[] {
  return items.slice(offset, offset + limit);
}

/** Drops null/undefined fields: the services that omit empty optional fields (everything but CPH's explicit nulls). */
export function compact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== null && value !== undefined) out[key] = value;
  return out;
}
