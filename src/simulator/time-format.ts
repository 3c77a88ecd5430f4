/** Each service writes times its own way (docs/upstream.md#conventions); these render simulator-clock ms accordingly. */

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function parts(date: Date): string[] {
  return [
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`,
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`,
  ];
}

/** Workspace: `2020-04-10 06:45:14` (space separator, no zone, UTC). */
export function workspaceTime(ms: number): string {
  return parts(new Date(ms)).join(' ');
}

/** App Streaming v1 and CPH: `2023-06-06T02:30:06Z`. */
export function isoSeconds(ms: number): string {
  return `${parts(new Date(ms)).join('T')}Z`;
}

/** App Streaming v2 and sub-job lists: `2023-06-06T02:30:06.836Z`. */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

const GAUSS_OFFSET_MS = 8 * 3600_000;

/** GaussDB: `2018-08-06T10:41:14+0800`, rendered in China Standard Time as the service does. */
export function gaussTime(ms: number): string {
  return `${parts(new Date(ms + GAUSS_OFFSET_MS)).join('T')}+0800`;
}

/** Parses GaussDB `yyyy-mm-ddThh:mm:ss±hhmm` (the list's start_time/end_time); null when malformed. */
export function parseGaussTime(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, sign, oh, om] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const offset = (Number(oh) * 60 + Number(om)) * 60_000 * (sign === '-' ? -1 : 1);
  const ms = local - offset;
  return Number.isNaN(ms) ? null : ms;
}
