// Follow one job live over graphql-ws: node examples/subscribe.mjs [jobId] [service]
import { createClient } from 'graphql-ws';
import WebSocket from 'ws'; // browsers have WebSocket built in

const url = process.env.SUBGRAPH_WS_URL ?? 'ws://localhost:4001/graphql';
const jobId = process.argv[2] ?? '69846f42-1e2d-457f-936f-077a942d7b04'; // the advancing GaussDB demo task
const service = process.argv[3] ?? 'GAUSSDB_MYSQL';

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  // Optional with the simulator; against the real cloud, your IAM token (or rely on the server's AK/SK).
  connectionParams: process.env.X_AUTH_TOKEN ? { 'X-Auth-Token': process.env.X_AUTH_TOKEN } : {},
});

client.subscribe(
  {
    query: `subscription ($ref: JobRef!) {
      jobUpdated(ref: $ref) { jobId state rawStatus progress terminal finishedAt error { code message } }
    }`,
    variables: { ref: { service, jobId } },
  },
  {
    next: (message) => console.log(JSON.stringify(message)), // current state first, then each change
    error: (error) => {
      console.error('subscription failed', error);
      process.exitCode = 1;
    },
    complete: () => {
      console.log('complete: the job reached a terminal state');
      void client.dispose();
    },
  },
);
