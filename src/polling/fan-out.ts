/**
 * Fan-out of one job's states to its subscribers: each sees a job only when it changed (through its view, only
 * when something it selected changed), a subscriber joining late gets the latest state at once, and after a
 * terminal state or a final error every subscription completes.
 */
import { Repeater, SlidingBuffer } from '@repeaterjs/repeater';
import type { GraphQLError } from 'graphql';
import type { JobModel } from '../model/job.js';
import type { JobEvent } from './coordination.js';

/** What a subscriber can see of a job (a digest); equal digests mean nothing visible changed. */
export type JobView = (job: JobModel) => string;

interface Subscriber {
  push(event: JobEvent): void;
  stop(): void;
}

export interface StreamHooks {
  /** The stream is set up and has seen the latest state: start fetching if the job is new. */
  joined(): void;
  /** The subscriber left (or was ended) and was the last one. */
  emptied(): void;
}

export class FanOut {
  private readonly subscribers = new Set<Subscriber>();
  private latest: JobModel | null = null;
  private digest: string | null = null;

  /** Subscribers attached now. */
  get size(): number {
    return this.subscribers.size;
  }

  /** One subscriber's stream of this job's events. */
  stream(view: JobView | undefined, hooks: StreamHooks): AsyncIterableIterator<JobEvent> {
    return new Repeater<JobEvent>(async (push, stop) => {
      // With a view, a job state that looks the same through it as the last one pushed is not pushed again.
      let lastSeen: string | null = null;
      const subscriber: Subscriber = {
        push: (e) => {
          if (view && 'job' in e) {
            const seen = view(e.job);
            if (seen === lastSeen) return;
            lastSeen = seen;
          }
          void push(e);
        },
        stop: () => stop(),
      };
      this.subscribers.add(subscriber);
      if (this.latest) subscriber.push({ job: this.latest });
      hooks.joined();
      await stop;
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) hooks.emptied();
      // A slow consumer only needs the newest states: older ones are dropped, never piled up.
    }, new SlidingBuffer(4));
  }

  /** Publishes a state to subscribers if it changed; `done` when the job is terminal (everyone completes). */
  accept(job: JobModel): { changed: boolean; done: boolean } {
    const digest = JSON.stringify(job);
    const changed = digest !== this.digest;
    if (changed) {
      this.digest = digest;
      this.latest = job;
      for (const s of this.subscribers) s.push({ job });
    }
    if (job.terminal) this.end();
    return { changed, done: job.terminal };
  }

  /** Ends every subscription with the error. */
  fail(error: GraphQLError): void {
    for (const s of this.subscribers) s.push({ error });
    this.end();
  }

  /** Completes every subscription. */
  end(): void {
    for (const s of [...this.subscribers]) s.stop();
    this.subscribers.clear();
  }
}
