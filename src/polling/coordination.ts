/**
 * The port between the pollers and whatever shares them across replicas (src/cluster/coordinator.ts implements
 * it with Redis). Without a coordination, every job is polled in this process.
 */
import type { GraphQLError } from 'graphql';
import type { JobModel } from '../model/job.js';

/** What a subscriber receives: a job state, or the error that ends its subscription. */
export type JobEvent = { job: JobModel } | { error: GraphQLError };

/**
 * A job as the coordination sees it: the registry keeps its subscribers; the coordination says whether this
 * replica polls it or receives its states from the replica that does.
 */
export interface CoordinatedJob {
  /** The job's credential-scoped key (model/job-ref.ts): the same on every replica, and never a secret. */
  readonly id: string;
  /**
   * Poll it here: at once (0) or first after `delayMs`. `latest` is what another replica fetched last, shown to
   * subscribers before this replica's first poll (one call on a take-over, not a delivery and then a lead).
   */
  lead(delayMs: number, latest?: JobEvent): void;
  /** Stop polling it here; its states now come through `deliver`. */
  follow(): void;
  /** A state (or a final error) that another replica fetched. */
  deliver(event: JobEvent): void;
}

/** Decides which replica polls each job, and shares what it fetched. */
export interface Coordination {
  /** The job got its first subscriber here. */
  attach(job: CoordinatedJob): void;
  /** This replica fetched a state (changed or not) or a final error for the job. */
  fetched(job: CoordinatedJob, event: JobEvent, changed: boolean): void;
  /** The job has no subscriber here any more, or ended. */
  detach(job: CoordinatedJob): void;
}
