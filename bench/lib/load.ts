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

export async function load(url: string, body: unknown, options: { connections: number; durationS: number; headers?: Record<string, string> }): Promise<LoadResult> {
  let graphqlErrors = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: options.connections,
    duration: options.durationS,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(body),
    requests: [
      {
        onResponse: (status: number, resBody: string) => {
          if (status !== 200 || resBody.includes('"errors"')) graphqlErrors++;
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
