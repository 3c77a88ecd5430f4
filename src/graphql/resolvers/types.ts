/** Field resolvers for jobs, sub-jobs and entities: models → fields, nothing else. */
import type { GraphQLResolveInfo } from 'graphql';
import type { Resolvers } from '../../generated/graphql.js';
import type { EntityModel, JobModel, SubJobModel } from '../../model/job.js';
import { decodeJobId, encodeJobId } from '../global-id.js';
import { jobRef } from '../validation.js';
import type { GraphQLContext } from '../context.js';
import { observed } from './query.js';

const jobId = (job: JobModel) => encodeJobId(job);

/** Resolves an entity reference (`_entities`) through the same loader as queries. */
const resolveJobReference = async (ref: { id: string }, ctx: GraphQLContext, info: GraphQLResolveInfo) =>
  observed(ctx, info, await ctx.loaders().job.load(jobRef(decodeJobId(ref.id), ctx.defaults, ctx.endpoints)));

/** Entities carry only what jobs tell about them; other subgraphs extend them with the rest. */
// Cast: one factory for five entity types; the object carries every entity field (null), a superset of each
// model, which TypeScript cannot match to the single model a generic `kind` stands for.
const entityReference = <K extends EntityModel['kind']>(kind: K) => (ref: { id: string }) =>
  ({ kind, id: ref.id, name: null, productId: null, userName: null, ipAddress: null, endpoint: null, type: null, datastoreType: null, datastoreVersion: null }) as never;

export const typeResolvers: Resolvers = {
  Job: {
    __resolveType: (job: JobModel) => job.kind,
    __resolveReference: resolveJobReference,
  },
  // Cast: codegen types each type's reference resolver as returning that type only, but one resolver serves
  // them all (the id says which service a job is) and the loader's answer is a JobModel of that service.
  WorkspaceJob: { id: jobId, __resolveReference: resolveJobReference as never },
  AppStreamingJob: { id: jobId, __resolveReference: resolveJobReference as never },
  GaussDBJob: { id: jobId, __resolveReference: resolveJobReference as never },
  CloudPhoneJob: { id: jobId, __resolveReference: resolveJobReference as never },
  SubJob: { __resolveType: (sub: SubJobModel) => sub.kind },
  Entity: { __resolveType: (entity: EntityModel) => entity.kind },
  Desktop: { __resolveReference: entityReference('Desktop') },
  AppServer: { __resolveReference: entityReference('AppServer') },
  DatabaseInstance: { __resolveReference: entityReference('DatabaseInstance') },
  CloudPhone: { __resolveReference: entityReference('CloudPhone') },
  CloudPhoneServer: { __resolveReference: entityReference('CloudPhoneServer') },
};
