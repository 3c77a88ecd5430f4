/** Subscription fields: validate, then attach to the shared pollers. No polling logic here. */
import { Repeater } from '@repeaterjs/repeater';
import type { GraphQLError, GraphQLResolveInfo } from 'graphql';
import type { SubscriptionResolvers } from '../../generated/graphql.js';
import type { JobModel } from '../../model/job.js';
import type { JobEvent } from '../../polling/registry.js';
import { selectedFieldNames, visibleDigest } from '../../polling/visible.js';
import type { GraphQLContext } from '../context.js';
import { jobRef, jobRefs } from '../validation.js';

/**
 * Drops events that look the same as the previous one through this subscriber's selection. A Repeater (not an
 * async generator) so that a client leaving returns the source at once, even while it waits for an event:
 * that is what detaches the subscriber from its poller.
 */
function onlyVisibleChanges(source: AsyncIterableIterator<JobEvent>, names: ReadonlySet<string>): AsyncIterableIterator<JobEvent> {
  return new Repeater<JobEvent>(async (push, stop) => {
    void stop.then(() => source.return?.());
    const last = new Map<string, string>();
    for await (const event of source) {
      if ('job' in event) {
        const digest = visibleDigest(event.job, names);
        const key = `${event.job.service}|${event.job.jobId}`;
        if (last.get(key) === digest) continue;
        last.set(key, digest);
      }
      await push(event);
    }
    stop();
  });
}

/** An error event becomes a GraphQL error in that message; the stream itself ends after it. */
function resolveEvent(event: JobEvent): JobModel {
  if ('error' in event) throw event.error as GraphQLError;
  return event.job;
}

function names(info: GraphQLResolveInfo): Set<string> {
  return selectedFieldNames(info.fieldNodes, info.fragments);
}

export const Subscription: SubscriptionResolvers<GraphQLContext> = {
  jobUpdated: {
    subscribe: (_, { ref }, ctx, info) => {
      const key = jobRef(ref, ctx.defaults, ctx.endpoints);
      const credential = ctx.requireCredential();
      return onlyVisibleChanges(ctx.pollers.subscribe(key, credential), names(info)) as never;
    },
    resolve: resolveEvent as never,
  },
  jobsUpdated: {
    subscribe: (_, { refs }, ctx, info) => {
      const keys = jobRefs(refs, ctx.defaults, ctx.endpoints);
      const credential = ctx.requireCredential();
      const unique = [...new Map(keys.map((k) => [`${k.service}|${k.region}|${k.projectId}|${k.jobId}`, k])).values()];
      // Each job's stream completes on its own (terminal, or an error); the merge completes when all have.
      const streams = unique.map((key) => ctx.pollers.subscribe(key, credential));
      return onlyVisibleChanges(Repeater.merge(streams), names(info)) as never;
    },
    resolve: resolveEvent as never,
  },
};
