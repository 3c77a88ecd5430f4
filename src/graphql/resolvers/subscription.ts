/** Subscription fields: validate, then attach to the shared pollers. No polling logic here. */
import { Repeater } from '@repeaterjs/repeater';
import type { GraphQLResolveInfo } from 'graphql';
import type { SubscriptionResolvers } from '../../generated/graphql.js';
import type { JobModel } from '../../model/job.js';
import { jobKey } from '../../model/job-ref.js';
import type { JobEvent } from '../../polling/coordination.js';
import { selectedFieldNames, viewOf } from '../visible.js';
import type { GraphQLContext } from '../context.js';
import { jobRef, jobRefs } from '../validation.js';
import { subscriptionStarted } from '../../observability/spans.js';

/** An error event becomes a GraphQL error in that message; the stream itself ends after it. */
function resolveEvent(event: JobEvent): JobModel {
  if ('error' in event) throw event.error;
  return event.job;
}

/**
 * Only changes visible in this subscriber's selection are pushed (see graphql/visible.ts). Subscribers of the
 * same (cached) document share one view.
 */
const views = new WeakMap<object, ReturnType<typeof viewOf>>();
function viewFor(info: GraphQLResolveInfo) {
  const node = info.fieldNodes[0]!;
  let view = views.get(node);
  if (!view) views.set(node, (view = viewOf(selectedFieldNames(info.fieldNodes, info.fragments))));
  return view;
}

export const Subscription: SubscriptionResolvers<GraphQLContext> = {
  jobUpdated: {
    subscribe: (_, { ref }, ctx, info) => {
      const key = jobRef(ref, ctx.defaults, ctx.endpoints);
      const credential = ctx.requireCredential();
      return ctx.pollers.subscribe(key, credential, viewFor(info), subscriptionStarted(info.fieldName, info.operation.name?.value));
    },
    resolve: resolveEvent,
  },
  jobsUpdated: {
    subscribe: (_, { refs }, ctx, info) => {
      const keys = jobRefs(refs, ctx.defaults, ctx.endpoints);
      const credential = ctx.requireCredential();
      const unique = [...new Map(keys.map((k) => [jobKey(k), k])).values()];
      // Each job's stream completes on its own (terminal, or an error); the merge completes when all have.
      const view = viewFor(info);
      const started = subscriptionStarted(info.fieldName, info.operation.name?.value);
      const streams = unique.map((key) => ctx.pollers.subscribe(key, credential, view, started));
      return Repeater.merge(streams);
    },
    resolve: resolveEvent,
  },
};
