/**
 * The one way upstream is called: a GET with auth, a per-attempt timeout, retries of transient failures with
 * jittered exponential backoff that honors `Retry-After`, fallback endpoints, and classification of every
 * failure into the contract's error codes (via `UpstreamError`).
 */
import { Agent, request, errors as undiciErrors } from 'undici';
import { BrokenCircuitError, ExponentialBackoff, handleWhen, retry, type IBackoff, type IBackoffFactory, type IRetryBackoffContext } from 'cockatiel';
import { authorize, type Credential } from '../auth/credentials.js';
import { ErrorCode, UpstreamError, codeForHttpStatus } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CloudService } from '../model/job.js';
import type { Metrics } from '../observability/metrics.js';
import { inSpan, SpanKind } from '../observability/spans.js';
import type { CircuitBreakers } from './breakers.js';
import type { EndpointResolver } from './endpoints.js';

export interface UpstreamRequest {
  service: CloudService;
  /** Stable route name for logs, e.g. `cloudPhone.listJobs`. */
  route: string;
  region: string;
  projectId: string;
  /** Path below the base URL, already containing encoded ids. */
  path: string;
  query?: Record<string, string | number | undefined>;
  credential: Credential;
}

export interface UpstreamResponse {
  /** 2xx, or 404 (the caller decides whether that means "no such job"). */
  status: number;
  body: unknown;
  requestId: string | null;
}

const RETRYABLE_CODES: ReadonlySet<string> = new Set([ErrorCode.UpstreamUnavailable, ErrorCode.RateLimited]);

function isRetryable(err: unknown): err is UpstreamError {
  if (!(err instanceof UpstreamError) || err.final) return false;
  if (RETRYABLE_CODES.has(err.code)) return true;
  // Any 5xx is worth one more try for an idempotent GET.
  return err.upstream.httpStatus !== null && err.upstream.httpStatus >= 500;
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Exponential backoff with decorrelated jitter, except that an upstream's `Retry-After` wins. */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly base: IBackoffFactory<unknown>) {}
  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const inner = this.base.next(context);
    const failure = 'error' in context.result ? context.result.error : undefined;
    const retryAfter = failure instanceof UpstreamError ? failure.retryAfterMs : null;
    return { duration: retryAfter ?? inner.duration, next: (ctx) => new RetryAfterBackoff(inner).next(ctx) };
  }
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function errorEnvelope(body: unknown): { errorCode: string | null; message: string | null; requestId: string | null } {
  if (!body || typeof body !== 'object') return { errorCode: null, message: null, requestId: null };
  const record = body as Record<string, unknown>; // an object, checked above; its fields are checked one by one
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return { errorCode: str(record['error_code']), message: str(record['error_msg']), requestId: str(record['request_id']) };
}

/** The transport's tunables, from configuration. */
export interface UpstreamHttpConfig {
  /** Per-attempt timeout of an upstream call. @default 10000 */
  timeoutMs: number;
  /** Retries after the first attempt for idempotent GETs. @default 2 */
  maxRetries: number;
  /** Longest Retry-After a query waits for before failing with RATE_LIMITED. @default 5000 */
  maxRetryAfterMs: number;
  /** Concurrent upstream calls one operation may have in flight. @default 10 */
  concurrency: number;
}

export interface UpstreamTransportOptions extends UpstreamHttpConfig {
  endpoints: EndpointResolver;
  breakers: CircuitBreakers;
  logger: Logger;
  metrics?: Metrics;
}

export class UpstreamTransport {
  private readonly agent: Agent;
  private readonly policy;

  constructor(private readonly options: UpstreamTransportOptions) {
    this.agent = new Agent({ connections: 64, keepAliveTimeout: 10_000, connect: { timeout: options.timeoutMs } });
    // A Retry-After longer than a query should wait makes the failure final here; the error still carries
    // it, so pollers can honor it.
    const shouldRetry = (err: Error) =>
      isRetryable(err) && (err.retryAfterMs === null || err.retryAfterMs <= options.maxRetryAfterMs);
    this.policy = retry(handleWhen(shouldRetry), {
      maxAttempts: options.maxRetries,
      backoff: new RetryAfterBackoff(new ExponentialBackoff({ initialDelay: 100, maxDelay: 2000 })),
    });

  }

  /** GET with retries. Resolves for 2xx and 404; rejects with `UpstreamError` otherwise. */
  async get(req: UpstreamRequest, signal?: AbortSignal): Promise<UpstreamResponse> {
    const bases = this.options.endpoints.resolve(req.service, req.region);
    const retries = this.options.metrics?.upstreamRetries;
    const attributes = { 'http.request.method': 'GET', 'cloudjobs.service': req.service, 'cloudjobs.route': req.route, 'cloud.region': req.region };
    return inSpan(`GET ${req.route}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      let attempts = 0;
      try {
        const res = await this.policy.execute(({ attempt }) => {
          attempts = attempt + 1;
          if (attempt > 0) retries?.inc({ service: req.service, route: req.route });
          // Fallback endpoints (comma-separated override) take turns across attempts.
          const base = bases[attempt % bases.length]!;
          span.setAttribute('server.address', new URL(base).host);
          return this.throughBreaker(req, base, attempt, signal);
        }, signal);
        span.setAttributes({ 'http.response.status_code': res.status, 'cloudjobs.breaker': 'closed' });
        return res;
      } catch (err) {
        if (err instanceof UpstreamError) {
          span.setAttributes({
            ...(err.upstream.httpStatus !== null ? { 'http.response.status_code': err.upstream.httpStatus } : {}),
            ...(err.upstream.errorCode ? { 'cloudjobs.upstream_error_code': err.upstream.errorCode } : {}),
            'cloudjobs.breaker': err.final ? 'open' : 'closed', // `final` marks the fail-fast of an open circuit
          });
        }
        throw err;
      } finally {
        span.setAttribute('cloudjobs.retries', Math.max(0, attempts - 1));
      }
    });
  }

  /** One attempt behind the host's circuit breaker: an open circuit fails fast, without a call. */
  private async throughBreaker(req: UpstreamRequest, base: string, attempt: number, signal?: AbortSignal): Promise<UpstreamResponse> {
    try {
      return await this.options.breakers.for(base).execute(() => this.attempt(req, base, attempt, signal));
    } catch (err) {
      if (!(err instanceof BrokenCircuitError)) throw err;
      throw new UpstreamError(
        ErrorCode.UpstreamUnavailable,
        `${req.service} is failing (circuit open for ${new URL(base).host}); not calling it for now`,
        { service: req.service, httpStatus: null, errorCode: null, requestId: null },
        null,
        true,
      );
    }
  }

  private async attempt(req: UpstreamRequest, base: string, attempt: number, signal?: AbortSignal): Promise<UpstreamResponse> {
    const url = new URL(base + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'cloud-jobs-subgraph' };
    authorize({ method: 'GET', url, headers }, req.credential, req.projectId);
    const started = performance.now();
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const details: UpstreamError['upstream'] = { service: req.service, httpStatus: null, errorCode: null, requestId: null };
    let status: number | null = null;
    try {
      const res = await request(url, {
        method: 'GET',
        headers,
        dispatcher: this.agent,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      status = res.statusCode;
      const text = await res.body.text();
      details.httpStatus = status;
      details.requestId = headerValue(res.headers, 'x-request-id');
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
        if (status >= 200 && status < 300) {
          throw new UpstreamError(ErrorCode.UpstreamError, `${req.service} answered ${status} with a body that is not JSON`, details);
        }
      }
      if ((status >= 200 && status < 300) || status === 404) {
        return { status, body, requestId: details.requestId };
      }
      const envelope = errorEnvelope(body);
      details.errorCode = envelope.errorCode;
      details.requestId = details.requestId ?? envelope.requestId;
      const code = codeForHttpStatus(status);
      const what = envelope.message ? `: ${envelope.message}` : '';
      throw new UpstreamError(
        code,
        `${req.service} answered ${status}${envelope.errorCode ? ` ${envelope.errorCode}` : ''}${what}`,
        details,
        parseRetryAfter(headerValue(res.headers, 'retry-after') ?? undefined),
      );
    } catch (err) {
      if (err instanceof UpstreamError) throw err;
      if (signal?.aborted) throw err;
      // The cast below: undici fails connections with Node's system errors, which carry `code`.
      const timedOut = timeout.aborted || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || err instanceof undiciErrors.ConnectTimeoutError;
      throw new UpstreamError(
        ErrorCode.UpstreamUnavailable,
        timedOut
          ? `${req.service} did not answer within ${this.options.timeoutMs} ms`
          : `${req.service} could not be reached (${(err as NodeJS.ErrnoException).code ?? 'network error'})`,
        details,
      );
    } finally {
      const durationMs = performance.now() - started;
      this.options.metrics?.upstreamRequests.inc({ service: req.service, route: req.route, status: status === null ? 'error' : String(status) });
      this.options.metrics?.upstreamDuration.observe({ service: req.service, route: req.route }, durationMs / 1000);
      this.options.logger.debug(
        { upstream: { service: req.service, route: req.route, status, attempt, path: url.pathname, ms: Math.round(performance.now() - started) } },
        'upstream call',
      );
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
