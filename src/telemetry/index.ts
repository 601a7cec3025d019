/**
 * Telemetry: what an engine's events become outside it — JSON logs, Prometheus metrics,
 * OpenTelemetry spans and the audit log — plus redaction and the ids that tie them together.
 * Each `attach…` subscribes to an engine and returns the function that unsubscribes it.
 */
export { AuditLog, type AuditOptions, attachAudit } from './audit-log.ts';
export { TaskCorrelation } from './correlation.ts';
export { GEN_AI, GEN_AI_OPERATION } from './gen-ai-attributes.ts';
export { listen, type TaskEventHandlers } from './listen.ts';
export {
  attachLogging,
  createLogger,
  type Logger,
  type LoggerOptions,
  type LoggingOptions,
} from './logger.ts';
export { attachMetrics, type CircuitReport, createRegistry, type MetricsOptions } from './metrics.ts';
export { type ModelCall, trackModelCalls } from './model-calls.ts';
export {
  createRedactor,
  isSecretKey,
  REDACTED,
  type Redactor,
  type RedactorOptions,
  redactAndTruncate,
  redactBounded,
  secretsFromEnv,
  summarizeArgs,
} from './redact.ts';
export { attachTracing, type TracingOptions } from './tracing.ts';
export {
  createTracing,
  otlpTracesEndpoint,
  type TracingSetup,
  type TracingSetupOptions,
} from './tracing-setup.ts';
