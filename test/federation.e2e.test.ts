/**
 * Federation: composition with a second subgraph, entities resolved through the same loaders as
 * queries, Apollo Gateway joins over real HTTP, and a subscription through Hive Gateway over the WebSocket
 * subgraph transport and over its default one (GraphQL over SSE towards the subgraph).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway } from '@apollo/gateway';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import wsTransport from '@graphql-mesh/transport-ws';
import { composeSupergraph, CompositionError, subgraphSdl, SUBGRAPH_NAME } from '../src/federation/supergraph.js';
import { encodeJobId } from '../src/graphql/global-id.js';
import { DEMO } from '../src/simulator/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { startTeamsSubgraph, TEAMS_SDL } from './fixtures/teams-subgraph.js';
import { sseEvents } from './support/subscriptions.js';

const at = { region: DEMO.region, projectId: DEMO.projectId };
const WS_JOB = encodeJobId({ service: 'WORKSPACE', jobId: DEMO.workspace.completeWithFailedSubJob, ...at });
const GAUSS_JOB = encodeJobId({ service: 'GAUSSDB_MYSQL', jobId: DEMO.gaussdb.completed, ...at });
const PHONE_JOB = encodeJobId({ service: 'CLOUD_PHONE', jobId: DEMO.cloudPhone.success, ...at });

let t: TestServer;
let teams: { url: string; close(): Promise<void> };
let supergraph: string;

beforeAll(async () => {
  t = await startTestServer({ POLL_INTERVAL_MS: '150' });
  // The teams subgraph's deployments point at jobs, repeating two of them.
  teams = await startTeamsSubgraph([WS_JOB, GAUSS_JOB, WS_JOB, PHONE_JOB, GAUSS_JOB, WS_JOB]);
  supergraph = composeSupergraph([
    { name: SUBGRAPH_NAME, url: t.url, sdl: subgraphSdl() },
    { name: 'teams', url: teams.url, sdl: TEAMS_SDL },
  ]);
});
afterAll(async () => {
  await teams?.close();
  await t?.close();
});
beforeEach(() => t.sim.calls.reset());

describe('composition', () => {
  it('composes with a subgraph that adds fields to Job (@interfaceObject) and extends Desktop', () => {
    expect(supergraph).toContain('@join__graph(name: "cloud-jobs"');
    expect(supergraph).toMatch(/interface Job\s[^{]*@join__type\(graph: CLOUD_JOBS, key: "id"\)/);
    expect(supergraph).toMatch(/watchers: \[String!\]! @join__field\(graph: TEAMS\)/);
    expect(supergraph).toMatch(/type Desktop\s[^{]*@join__type\(graph: CLOUD_JOBS, key: "id"\)[^{]*@join__type\(graph: TEAMS, key: "id"\)/);
  });

  it('marks every Job implementation and Entity member as an entity keyed by id', () => {
    const sdl = subgraphSdl();
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.7"');
    for (const type of ['WorkspaceJob', 'AppStreamingJob', 'GaussDBJob', 'CloudPhoneJob', 'Desktop', 'AppServer', 'DatabaseInstance', 'CloudPhone', 'CloudPhoneServer']) {
      expect(sdl).toMatch(new RegExp(`type ${type}( implements Job)?\\s+@key\\(fields: "id"\\)`));
    }
    expect(sdl).toMatch(/interface Job\s+@key\(fields: "id"\)/);
  });

  it('composes the README example of another subgraph', () => {
    const readme = readFileSync('README.md', 'utf8');
    const example = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('@interfaceObject'));
    expect(example).toBeDefined();
    expect(() => composeSupergraph([{ name: SUBGRAPH_NAME, url: t.url, sdl: subgraphSdl() }, { name: 'teams', url: 'http://teams/graphql', sdl: example! }])).not.toThrow();
  });

  it('reports composition errors clearly', () => {
    expect(() =>
      composeSupergraph([
        { name: SUBGRAPH_NAME, url: t.url, sdl: subgraphSdl() },
        { name: 'broken', url: 'http://x', sdl: 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Desktop @key(fields: "id") { id: Int! }' },
      ]),
    ).toThrow(CompositionError);
  });
});

describe('CSRF prevention stays on', () => {
  it('refuses a simple request a browser could forge, and accepts what gateways send', async () => {
    const base = t.url;
    const forged = await fetch(`${base}?query=${encodeURIComponent('{ __typename }')}`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('CSRF');
    const preflighted = await fetch(`${base}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
    const json = await t.gql('{ __typename }');
    expect(json.data).toEqual({ __typename: 'Query' });
  });
});

describe('_entities through the loaders', () => {
  it('resolves many representations with one upstream call per distinct job', async () => {
    const representations = [
      ...Array.from({ length: 20 }, () => ({ __typename: 'Job', id: WS_JOB })),
      ...Array.from({ length: 20 }, () => ({ __typename: 'GaussDBJob', id: GAUSS_JOB })),
      { __typename: 'CloudPhoneJob', id: PHONE_JOB },
      { __typename: 'Desktop', id: 'd-1' },
    ];
    const res = await t.gql(
      `query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Job { jobId state } ... on Desktop { id } } }`,
      { r: representations },
    );
    expect(res.errors).toBeUndefined();
    const entities = res.data!['_entities'] as Array<Record<string, string>>;
    expect(entities).toHaveLength(42);
    expect(entities[0]).toEqual({ __typename: 'WorkspaceJob', jobId: DEMO.workspace.completeWithFailedSubJob, state: 'FAILED' });
    expect(entities[20]).toEqual({ __typename: 'GaussDBJob', jobId: DEMO.gaussdb.completed, state: 'SUCCEEDED' });
    expect(entities[41]).toEqual({ __typename: 'Desktop', id: 'd-1' });
    expect(t.sim.calls.count()).toBe(3);
  });

  it('a malformed global id in a representation is BAD_USER_INPUT', async () => {
    const res = await t.gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Job { jobId } } }`, {
      r: [{ __typename: 'Job', id: 'garbage!' }],
    });
    expect(res.errors![0]!.extensions!['code']).toBe('BAD_USER_INPUT');
    expect(t.sim.calls.count()).toBe(0);
  });
});

describe('through Apollo Gateway', () => {
  let gateway: ApolloServer;
  let url: string;
  beforeAll(async () => {
    gateway = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: supergraph }) });
    ({ url } = await startStandaloneServer(gateway, { listen: { port: 0, host: '127.0.0.1' } }));
  });
  afterAll(() => gateway?.stop());

  const post = async (query: string) =>
    (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json() as Promise<{
      data?: any;
      errors?: unknown[];
    }>;

  it('joins the other team’s deployments to our jobs, one upstream call per distinct job', async () => {
    const res = await post(`{ deployments { id job { id jobId service state watchers ... on CloudPhoneJob { requestId } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.deployments.map((d: any) => [d.job.service, d.job.state])).toEqual([
      ['WORKSPACE', 'FAILED'],
      ['GAUSSDB_MYSQL', 'SUCCEEDED'],
      ['WORKSPACE', 'FAILED'],
      ['CLOUD_PHONE', 'SUCCEEDED'],
      ['GAUSSDB_MYSQL', 'SUCCEEDED'],
      ['WORKSPACE', 'FAILED'],
    ]);
    expect(res.data.deployments[3].job.requestId).toBe(DEMO.cloudPhone.requestIds.success);
    expect(res.data.deployments[0].job.watchers).toContain('team-frontend');
    expect(res.data.deployments[0].job.id).toBe(WS_JOB);
    expect(t.sim.calls.count()).toBe(3);
  });

  it('joins the other team’s fields onto our jobs and desktops', async () => {
    const res = await post(`{ job(ref: { service: WORKSPACE, jobId: "${DEMO.workspace.completeWithFailedSubJob}" }) {
      state watchers entities { ... on Desktop { id name assignedTeam { name } } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.job.state).toBe('FAILED');
    expect(res.data.job.watchers).toEqual(['team-frontend', expect.any(String)]);
    expect(res.data.job.entities.length).toBeGreaterThan(0);
    expect(res.data.job.entities.every((e: any) => e.assignedTeam.name === 'desktop-team' && e.name)).toBe(true);
    expect(t.sim.calls.count()).toBe(1);
  });
});

/**
 * Subscribes through a Hive Gateway runtime and reads its SSE answer to the end: the job's updates (joined with
 * the teams subgraph's `watchers`), whether the stream completed, and which kind of credential polled upstream.
 */
async function subscribeThroughGateway(gateway: ReturnType<typeof createGatewayRuntime>, jobNumber: number) {
  const jobId = `feed0000-0000-4000-8000-00000000000${jobNumber}`;
  t.sim.store.add('gaussdb', {
    id: jobId,
    status: 'Running',
    process: 40,
    instance: { id: 'c'.repeat(32) + 'in07', name: 'db' },
    // Room for the gateway's first request (planning, connecting) on a loaded machine before the job completes.
    timeline: [{ afterMs: 2500, status: 'Completed' }],
  });
  try {
    const res = await gateway.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': DEMO.token },
      body: JSON.stringify({
        query: `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${jobId}" }) { jobId state progress watchers } }`,
      }),
    });
    expect(res.status).toBe(200);
    const text = await res.text(); // the stream ends when the subscription completes
    const events = sseEvents(text);
    expect(events.filter((e) => e.errors)).toEqual([]);
    expect(events.map((e) => e.data?.['jobUpdated'])).toEqual([
      { jobId, state: 'RUNNING', progress: 40, watchers: ['team-frontend', expect.any(String)] },
      { jobId, state: 'SUCCEEDED', progress: 100, watchers: ['team-frontend', expect.any(String)] },
    ]);
    expect(text).toContain('event: complete');
    // Polled with the client's token, not the server's AK/SK.
    expect(new Set(t.sim.calls.list({ jobId }).map((c) => c.authKind))).toEqual(new Set(['token']));
  } finally {
    await gateway.dispose();
  }
}

describe('through Hive Gateway (WebSocket subgraph transport)', () => {
  it('delivers the current state, an update and the completion of a subscription', async () => {
    const gateway = createGatewayRuntime({
      supergraph,
      transports: { http: httpTransport, ws: wsTransport },
      transportEntries: {
        [SUBGRAPH_NAME]: {
          options: {
            // The client's token travels to the subgraph in connectionParams (README shows the same config).
            subscriptions: { kind: 'ws', location: '/graphql', options: { connectionParams: { 'X-Auth-Token': '{context.headers.x-auth-token}' } } },
          },
        },
      },
      logging: false,
    });
    await subscribeThroughGateway(gateway, 1);
  });
});

describe('through Hive Gateway (default subgraph transport: HTTP, subscriptions over SSE)', () => {
  it('delivers the current state, a change and the completion of a subscription', async () => {
    const gateway = createGatewayRuntime({
      supergraph,
      transports: { http: httpTransport },
      // The client's token travels to the subgraph as a header (README shows the same config).
      propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ 'x-auth-token': request.headers.get('x-auth-token') ?? '' }) },
      logging: false,
    });
    await subscribeThroughGateway(gateway, 2);
  });
});
