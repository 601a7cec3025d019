import { createRequire } from 'node:module';
import type { Tracer } from '@opentelemetry/api';
import type { BufferConfig, SpanExporter } from '@opentelemetry/sdk-trace-base';

// The SDK and the OTLP exporter take ~190 ms to import: they are loaded (synchronously, from their
// CommonJS builds) only when tracing is actually configured. Their @opentelemetry/api copy shares
// its context keys and globals with ours through Symbol.for, so spans nest across the two.
const require = createRequire(import.meta.url);
const sdk = () => ({
  ...(require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base')),
  ...(require('@opentelemetry/resources') as typeof import('@opentelemetry/resources')),
  ...(require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http')),
});

export interface TracingSetupOptions {
  env?: Record<string, string | undefined>;
  serviceName?: string;
  serviceVersion?: string;
  /** An exporter of your own; otherwise OTLP/HTTP to the endpoint the environment names. */
  exporter?: SpanExporter;
  batch?: BufferConfig;
}

export interface TracingSetup {
  tracer: Tracer;
  /** Exports every span ended so far (call before exit; `shutdown` does it too). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The OTLP endpoint for traces, by the OpenTelemetry rules: the signal-specific variable is used as
 * given, the generic one gets `/v1/traces` appended. Undefined when tracing is off.
 */
export function otlpTracesEndpoint(env: Record<string, string | undefined>): string | undefined {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (specific) return specific;
  const generic = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return generic ? `${generic.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/**
 * A tracer exporting over OTLP/HTTP in batches, or `undefined` when no endpoint is configured — in
 * which case nothing is attached to the engine at all (zero cost, not a no-op tracer per event).
 * The provider is not registered globally: codex-task's spans never mix with a host application's.
 */
export function createTracing(options: TracingSetupOptions = {}): TracingSetup | undefined {
  const env = options.env ?? process.env;
  const url = otlpTracesEndpoint(env);
  if (!options.exporter && !url) return undefined;
  const { BasicTracerProvider, BatchSpanProcessor, OTLPTraceExporter, resourceFromAttributes } = sdk();
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: url! });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME ?? options.serviceName ?? 'codex-task',
      ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
    }),
    spanProcessors: [new BatchSpanProcessor(exporter, options.batch)],
  });
  return {
    tracer: provider.getTracer('codex-task', options.serviceVersion),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
