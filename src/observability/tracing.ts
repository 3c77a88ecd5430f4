/**
 * OpenTelemetry tracing: off unless an OTLP endpoint is configured, and then configured only by OpenTelemetry's
 * own environment variables (OTEL_EXPORTER_OTLP_ENDPOINT or _TRACES_ENDPOINT, _PROTOCOL http/protobuf or
 * http/json, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, OTEL_PROPAGATORS, OTEL_RESOURCE_ATTRIBUTES, …), read by the
 * official Node SDK itself. The SDK registers the global tracer provider, the W3C trace-context propagator and
 * the async context manager; our spans are made through `@opentelemetry/api` (a no-op without the SDK) in
 * observability/spans.ts.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import { envDetector, hostDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';

export interface Tracing {
  /** Flushes buffered spans and stops exporting. */
  shutdown(): Promise<void>;
}

/** Whether the environment asks for traces to be exported. */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if ((env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true') return false;
  if ((env['OTEL_TRACES_EXPORTER'] ?? '').trim().toLowerCase() === 'none') return false;
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}

/** Starts the SDK when the environment asks for traces (before the server starts); null otherwise. */
export function startTracing(env: NodeJS.ProcessEnv = process.env): Tracing | null {
  if (!tracingRequested(env)) return null;
  const sdk = new NodeSDK({
    // A default name; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) win over it.
    resource: resourceFromAttributes({ 'service.name': 'cloud-jobs-subgraph' }),
    // No cloud metadata detectors: they would call link-local metadata servers at start.
    resourceDetectors: [envDetector, hostDetector, processDetector],
    // No automatic instrumentation: our spans say what the operator needs, with no secret in any attribute.
    instrumentations: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
