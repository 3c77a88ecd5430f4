/**
 * The names of a job's keys and channel in Redis (README.md#running-several-replicas): `<prefix>:{<job key>}:<kind>`.
 * The braces are a Cluster hash tag, so every key of a job and its channel live in one slot; `REDIS_KEY_PREFIX`
 * has no braces (config.ts), so the job's tag is always the first.
 */
export type JobKeyKind = 'lease' | 'state' | 'terminal' | 'observed';

export const jobRedisKey = (prefix: string, id: string, kind: JobKeyKind): string => `${prefix}:{${id}}:${kind}`;

export const jobChannel = (prefix: string, id: string): string => `${prefix}:{${id}}:events`;

/** The job key in a channel made by `jobChannel` (cut by length: a job key may hold any character). */
export function jobOfChannel(prefix: string, channel: string): string | null {
  const head = `${prefix}:{`;
  const tail = '}:events';
  if (!channel.startsWith(head) || !channel.endsWith(tail)) return null;
  return channel.slice(head.length, channel.length - tail.length);
}
