/**
 * OpenTelemetry traces over OTLP/HTTP, received by a real receiver started here, from the real entry point
 * (src/main.ts) configured only by OpenTelemetry's variables: the router's trace is continued, upstream calls
 * are children of the operation, and no secret or query text appears in any attribute.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tracingRequested } from '../src/observability/tracing.js';
import { DEMO } from '../src/simulator/index.js';
import { startChild, type ChildServer } from './support/processes.js';
import { collect, wsClient } from './support/subscriptions.js';

interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  links?: Array<{ traceId: string; spanId: string }>;
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let receiver: http.Server;
let endpoint: string;
const received: Received[] = [];
beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

let child: ChildServer | null = null;
afterEach(async () => {
  await child?.stop();
  child = null;
  received.length = 0;
});

const attr = (span: OtlpSpan, key: string) => {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value ? (value['stringValue'] ?? (value['intValue'] !== undefined ? Number(value['intValue']) : value['arrayValue'])) : undefined;
};

function spansOf(bodies: Received[]): OtlpSpan[] {
  return bodies
    .filter((r) => r.path === '/v1/traces')
    .flatMap((r) => (JSON.parse(r.body.toString('utf8')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans)
    .flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
}

async function until<T>(what: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = what();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for spans');
    await sleep(50);
  }
}

const query = (url: string, body: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, 'x-auth-token': DEMO.token },
    body,
  });

describe('tracing', () => {
  it('is off without an OTLP endpoint, and honours OTEL_SDK_DISABLED', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });

  it('continues the caller\'s trace over http/json: operation span, upstream spans as its children, no secret', async () => {
    child = await startChild('src/main.ts', {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'cloud-jobs-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      POLL_INTERVAL_MS: '200',
    });
    const text = `query TraceMe { job(ref: { service: GAUSSDB_MYSQL, jobId: "${DEMO.gaussdb.running}" }) { state } }`;
    const res = await query(child.url, JSON.stringify({ query: text }));
    expect(res.status).toBe(200);

    const operation = await until(() => spansOf(received).find((s) => s.name === 'query TraceMe'));
    expect(operation.traceId).toBe(TRACE_ID);
    expect(operation.parentSpanId).toBe(PARENT_ID);
    expect(operation.kind).toBe(2); // SERVER
    expect(attr(operation, 'graphql.operation.type')).toBe('query');
    expect(attr(operation, 'graphql.operation.name')).toBe('TraceMe');
    expect(attr(operation, 'http.response.status_code')).toBe(200);

    const upstream = await until(() => spansOf(received).find((s) => s.name.startsWith('GET gaussdb')));
    expect(upstream.traceId).toBe(TRACE_ID);
    expect(upstream.parentSpanId).toBe(operation.spanId);
    expect(upstream.kind).toBe(3); // CLIENT
    expect(attr(upstream, 'cloudjobs.service')).toBe('GAUSSDB_MYSQL');
    expect(attr(upstream, 'cloud.region')).toBe(DEMO.region);
    expect(attr(upstream, 'http.response.status_code')).toBe(200);
    expect(attr(upstream, 'cloudjobs.retries')).toBe(0);
    expect(attr(upstream, 'cloudjobs.breaker')).toBe('closed');

    const resource = JSON.stringify(JSON.parse(received.find((r) => r.path === '/v1/traces')!.body.toString('utf8')).resourceSpans[0].resource);
    expect(resource).toContain('cloud-jobs-under-test');

    // A subscription: its start is a span; each poll tick is a trace of its own, linked to it, with the
    // upstream call as its child.
    const client = wsClient(child.url, { 'X-Auth-Token': DEMO.token });
    const sub = collect(client, `subscription Follow { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${DEMO.gaussdb.running}" }) { state } }`);
    await sub.waitFor(1);
    const started = await until(() => spansOf(received).find((s) => s.name === 'subscription Follow'));
    const polls = await until(() => {
      const found = spansOf(received).filter((s) => s.name === 'poll' && s.links?.some((l) => l.spanId === started.spanId));
      return found.length >= 2 ? found : undefined;
    });
    await client.dispose();
    expect(new Set(polls.map((p) => p.traceId)).size).toBe(polls.length); // one trace per tick
    for (const poll of polls) expect(poll.parentSpanId ?? '').toBe('');
    expect(attr(polls[0]!, 'cloudjobs.service')).toBe('GAUSSDB_MYSQL');
    const polledUpstream = spansOf(received).find((s) => s.name.startsWith('GET gaussdb') && s.parentSpanId === polls[0]!.spanId);
    expect(polledUpstream?.traceId).toBe(polls[0]!.traceId);

    const everything = received.map((r) => r.body.toString('utf8')).join('\n');
    for (const secret of [DEMO.token, DEMO.sk, DEMO.ak, 'Signature=', 'job(ref:', 'jobUpdated(ref:']) expect(everything).not.toContain(secret);
  });

  it('exports over http/protobuf too', async () => {
    child = await startChild('src/main.ts', {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    await query(child.url, JSON.stringify({ query: `query ProtoTrace { job(ref: { service: WORKSPACE, jobId: "${DEMO.workspace.running}" }) { state } }` }));
    const traces = await until(() => received.find((r) => r.path === '/v1/traces' && r.body.includes('query ProtoTrace')));
    expect(traces.contentType).toBe('application/x-protobuf');
    // Protobuf carries the trace id as its 16 raw bytes.
    expect(traces.body.includes(Buffer.from(TRACE_ID, 'hex'))).toBe(true);
    expect(traces.body.includes(DEMO.token)).toBe(false);
  });
});
