/**
 * Lifecycles without timers: a record's current state is its base plus every timeline step whose time has
 * come on the simulator clock. Nothing needs cleaning up, and tests drive it through `now`.
 */
import { isRaw, type Raw } from './records/coerce.js';

/** Keys a patch may not change: the store owns a record's identity and its timeline. */
const RESERVED = new Set(['id', 'projectId', 'createdAt', 'timeline', 'afterMs']);

export interface StoredStep {
  afterMs: number;
  patch: Raw;
}

export class PatchError extends Error {
  override readonly name = 'PatchError';
}

function mergeById(current: unknown, patches: unknown[]): Raw[] {
  const out = (Array.isArray(current) ? current : []).filter(isRaw).map((item) => ({ ...item }));
  for (const patch of patches) {
    if (!isRaw(patch) || typeof patch.id !== 'string' || patch.id === '') {
      throw new PatchError('every sub-job in a patch needs a string id');
    }
    const index = out.findIndex((item) => item.id === patch.id);
    if (index === -1) out.push(structuredClone(patch));
    else out[index] = mergeObjects(out[index]!, patch);
  }
  return out;
}

function mergeObjects(target: Raw, patch: Raw): Raw {
  const out: Raw = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === 'subJobs' && Array.isArray(value)) out[key] = mergeById(target[key], value);
    else if (isRaw(value) && isRaw(target[key])) out[key] = mergeObjects(target[key], value);
    else out[key] = structuredClone(value);
  }
  return out;
}

/** Merges a patch into a record: objects field by field, `subJobs` by id, anything else replaced. */
export function applyPatch(target: Raw, patch: Raw): Raw {
  const clean: Raw = {};
  for (const [key, value] of Object.entries(patch)) if (!RESERVED.has(key)) clean[key] = value;
  return mergeObjects(target, clean);
}

/** Validates and orders timeline input (stable for equal offsets). */
export function toSteps(timeline: unknown): StoredStep[] {
  if (timeline === undefined || timeline === null) return [];
  if (!Array.isArray(timeline)) throw new PatchError('timeline must be an array');
  const steps = timeline.map((step, index) => {
    if (!isRaw(step) || typeof step.afterMs !== 'number' || !Number.isFinite(step.afterMs)) {
      throw new PatchError(`timeline[${index}] needs a numeric afterMs`);
    }
    return { afterMs: step.afterMs, patch: structuredClone(step) };
  });
  return steps.sort((a, b) => a.afterMs - b.afterMs);
}
