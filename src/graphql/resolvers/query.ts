/** Root query fields: validate input, then read the operation's loaders. No HTTP, no parsing here. */
import type { GraphQLResolveInfo } from 'graphql';
import type { QueryResolvers } from '../../generated/graphql.js';
import type { CloudPhoneJobModel, JobModel } from '../../model/job.js';
import type { GraphQLContext } from '../context.js';
import { decodeJobId } from '../global-id.js';
import {
  APP_STREAMING_SUB_JOB_STATUSES,
  APP_STREAMING_SUB_JOB_TYPES,
  WORKSPACE_JOB_TYPES,
  WORKSPACE_SUB_JOB_STATUSES,
  jobRef,
  jobRefs,
  location,
  oneOf,
  range,
  requestIds,
} from '../validation.js';

/** Reports a job to the response cache's bookkeeping and the field's cache hint, and returns it. */
export function observed<J extends JobModel | null>(ctx: GraphQLContext, info: GraphQLResolveInfo, job: J): J {
  ctx.observe(job, info);
  return job;
}

export const Query: QueryResolvers = {
  job: async (_, { ref }, ctx, info) => observed(ctx, info, await ctx.loaders().job.load(jobRef(ref, ctx.defaults, ctx.endpoints))),

  jobs: async (_, { refs }, ctx, info) => {
    const keys = jobRefs(refs, ctx.defaults, ctx.endpoints);
    // loadMany puts an Error in a failed item's place: graphql-js makes that item null with its own error (hence
    // the cast: codegen's list type has no room for an Error item).
    const jobs = await ctx.loaders().job.loadMany(keys);
    jobs.forEach((job) => ctx.observe(job, info));
    return jobs as Array<JobModel | null>;
  },

  jobById: async (_, { id }, ctx, info) => {
    const ref = decodeJobId(id);
    return observed(ctx, info, await ctx.loaders().job.load(jobRef(ref, ctx.defaults, ctx.endpoints)));
  },

  appStreamingSubJobs: (_, args, ctx) => {
    const query = {
      jobType: oneOf('jobType', args.jobType, APP_STREAMING_SUB_JOB_TYPES),
      status: args.status == null ? null : oneOf('status', args.status, APP_STREAMING_SUB_JOB_STATUSES),
      jobId: args.jobId?.trim() || null,
      offset: range('offset', args.offset ?? 0, 0, 2_147_483_647),
      limit: range('limit', args.limit ?? 10, 1, 100),
    };
    const where = location(args, ctx.defaults, ctx.endpoints, 'APP_STREAMING');
    return ctx.loaders().appStreamingSubJobs.load({ query, location: where });
  },

  workspaceSubJobs: (_, args, ctx) => {
    const query = {
      jobId: args.jobId?.trim() || null,
      jobType: args.jobType == null ? null : oneOf('jobType', args.jobType, WORKSPACE_JOB_TYPES),
      status: args.status == null ? null : oneOf('status', args.status, WORKSPACE_SUB_JOB_STATUSES),
      offset: range('offset', args.offset ?? 0, 0, 10_000),
      limit: range('limit', args.limit ?? 100, 0, 1000),
    };
    const where = location(args, ctx.defaults, ctx.endpoints, 'WORKSPACE');
    return ctx.loaders().workspaceSubJobs.load({ query, location: where });
  },

  cloudPhoneJobs: async (_, args, ctx) => {
    const ids = requestIds(args.requestIds);
    const where = location(args, ctx.defaults, ctx.endpoints, 'CLOUD_PHONE');
    const loaders = ctx.loaders();
    const batches = await loaders.cloudPhoneBatch.loadMany(ids.map((requestId) => ({ ...where, requestId })));
    const failed = batches.find((b): b is Error => b instanceof Error);
    if (failed) throw failed;
    // Several ids share a call, so the same batch comes back for each of them: de-duplicate by job id.
    const seen = new Map<string, CloudPhoneJobModel>();
    for (const batch of batches) {
      if (batch instanceof Error) continue; // none: a failed batch was thrown above
      for (const job of batch.jobs) {
        if (!seen.has(job.jobId)) {
          seen.set(job.jobId, job);
          // Prime the job loader so a nested or repeated reference to this job costs no further call.
          loaders.job.prime({ service: 'CLOUD_PHONE', jobId: job.jobId, requestId: null, ...where }, job);
        }
      }
    }
    return [...seen.values()];
  },
};
