/** autocannon with a GraphQL body, counting GraphQL-level errors (a 200 with `errors` is an error too). */
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  meanLatencyMs: number;
  errors: number;
  graphqlErrors: number;
}

export interface LoadOptions {
  connections: number;
  durationS: number;
  headers?: Record<string, string>;
  /** Several bodies sent in turn instead of `body` alone (e.g. a mix of jobs). */
  bodies?: unknown[];
  /** Each response body, when it arrived (e.g. to see when a change became visible). */
  onBody?: (body: string, at: number) => void;
}

export async function load(url: string, body: unknown, options: LoadOptions): Promise<LoadResult> {
  let graphqlErrors = 0;
  const texts = (options.bodies ?? [body]).map((b) => JSON.stringify(b));
  let next = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: options.connections,
    duration: options.durationS,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: texts[0],
    requests: [
      {
        ...(texts.length > 1 ? { setupRequest: (req: Record<string, unknown>) => ({ ...req, body: texts[next++ % texts.length] }) } : {}),
        onResponse: (status: number, resBody: string) => {
          if (status !== 200 || resBody.includes('"errors"')) graphqlErrors++;
          options.onBody?.(resBody, Date.now());
        },
      },
    ],
  } as autocannon.Options);
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    meanLatencyMs: result.latency.average,
    errors: result.errors + result.timeouts + result.non2xx,
    graphqlErrors,
  };
}
