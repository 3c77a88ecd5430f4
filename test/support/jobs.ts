/** Jobs that tests add to the simulator. */
import { randomUUID } from 'node:crypto';
import type { Simulator } from '../../src/simulator/index.js';
import type { TimelineStep } from '../../src/simulator/records/index.js';

/** A running GaussDB task at `process`%, taking each timeline step in turn (none: it stays running). */
export function addGaussDbJob(sim: Simulator, timeline: TimelineStep<'gaussdb'>[] = [], process = 10): string {
  const id = randomUUID();
  sim.store.add('gaussdb', {
    id,
    name: 'ResizeGaussDBforMySQLFlavor',
    status: 'Running',
    process,
    instance: { id: 'a48e43ff268f4c0e879652d65e63d0fbin07', name: 'orders' },
    timeline,
  });
  return id;
}
