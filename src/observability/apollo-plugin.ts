import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from './metrics.js';

/** Counts GraphQL operations over HTTP by type (WebSocket subscriptions are counted where they start). */
export function operationMetricsPlugin(metrics: Metrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          metrics.operations.inc({ type: operation?.operation ?? 'unknown' });
        },
      };
    },
  };
}
