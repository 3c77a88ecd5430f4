import type { Resolvers } from '../../generated/graphql.js';
import { Query } from './query.js';
import { DateTime } from './scalars.js';
import { Subscription } from './subscription.js';
import { typeResolvers } from './types.js';

export const resolvers: Resolvers = { DateTime, Query, Subscription, ...typeResolvers };
