/**
 * The baseline: a bare Apollo Server (standalone) answering static objects with the same query shape, no
 * upstream, no loaders, no limits. Run in its own process like ours.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const typeDefs = /* GraphQL */ `
  enum CloudService { WORKSPACE APP_STREAMING GAUSSDB_MYSQL CLOUD_PHONE }
  input JobRef { service: CloudService!, jobId: ID!, projectId: String, region: String, requestId: ID }
  type Job { jobId: String!, state: String!, rawStatus: String!, terminal: Boolean!, progress: Int, startedAt: String, finishedAt: String }
  type Query { job(ref: JobRef!): Job, jobs(refs: [JobRef!]!): [Job]! }
`;
const job = (jobId: string) => ({
  jobId,
  state: 'SUCCEEDED',
  rawStatus: '2',
  terminal: true,
  progress: 100,
  startedAt: '2019-04-26T07:00:00.000Z',
  finishedAt: '2019-04-26T07:00:06.000Z',
});
const server = new ApolloServer({
  typeDefs,
  resolvers: {
    Query: {
      job: (_: unknown, { ref }: { ref: { jobId: string } }) => job(ref.jobId),
      jobs: (_: unknown, { refs }: { refs: Array<{ jobId: string }> }) => refs.map((r) => job(r.jobId)),
    },
  },
});
const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env.PORT ?? 0), host: '127.0.0.1' } });
console.log(JSON.stringify({ msg: 'bare apollo listening', url }));
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
