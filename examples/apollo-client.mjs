// Apollo Client 4 over HTTP only (no WebSocket): a query with fragments on Job's implementations, then the same
// job live over the multipart subscription protocol. node examples/apollo-client.mjs [jobId] [service]
import { readFileSync } from 'node:fs';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';

const uri = process.env.SUBGRAPH_URL ?? 'http://localhost:4001/graphql';
const ref = {
  jobId: process.argv[2] ?? '69846f42-1e2d-457f-936f-077a942d7b04', // the advancing GaussDB demo task
  service: process.argv[3] ?? 'GAUSSDB_MYSQL',
};

// Written by `npm run codegen`: without it the cache cannot tell which types a fragment on `Job` matches.
const { possibleTypes } = JSON.parse(readFileSync(new URL('../src/generated/possible-types.json', import.meta.url), 'utf8'));

const client = new ApolloClient({
  // Optional with the simulator; against the real cloud, your IAM token (or rely on the server's AK/SK).
  link: new HttpLink({ uri, headers: process.env.X_AUTH_TOKEN ? { 'X-Auth-Token': process.env.X_AUTH_TOKEN } : {} }),
  cache: new InMemoryCache({ possibleTypes }),
});

const JOB = gql`
  fragment JobStatus on Job {
    id jobId service state progress terminal
    ... on GaussDBJob { instance { id name } }
    ... on WorkspaceJob { subJobsTotal }
    ... on AppStreamingJob { executeMessage }
    ... on CloudPhoneJob { requestId executeMessage }
  }
`;

const { data } = await client.query({ query: gql`query ($ref: JobRef!) { job(ref: $ref) { ...JobStatus } } ${JOB}`, variables: { ref } });
console.log(JSON.stringify({ job: data.job }));

client.subscribe({ query: gql`subscription ($ref: JobRef!) { jobUpdated(ref: $ref) { ...JobStatus } } ${JOB}`, variables: { ref } }).subscribe({
  next: ({ data, error }) => {
    if (error) console.error('update failed', error.message);
    else console.log(JSON.stringify({ jobUpdated: data.jobUpdated })); // current state first, then each change
  },
  error: (error) => {
    console.error('subscription failed', error);
    process.exitCode = 1;
  },
  complete: () => {
    console.log('complete: the job reached a terminal state');
    client.stop();
  },
});
