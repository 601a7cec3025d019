import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { OBSERVABILITY_DEFAULTS } from '../config/defaults/index.ts';
import type { TaskEngine, TaskHandle, TaskOptions } from '../engine/index.ts';
import { attachRunRecorder, type RetentionPolicy, type RunRecorder, RunStore } from '../store/index.ts';
import {
  AuditLog,
  attachAudit,
  attachLogging,
  attachMetrics,
  attachTracing,
  type CircuitReport,
  createLogger,
  createRedactor,
  createRegistry,
  createTracing,
  type Logger,
  type LoggerOptions,
  type Redactor,
  secretsFromEnv,
  TaskCorrelation,
  type TracingSetup,
} from '../telemetry/index.ts';

export interface ObserveOptions {
  env?: Record<string, string | undefined>;
  /** Run records: a store, a path (`:memory:` too), or false. Default: `CODEX_TASK_RUNS_DB` or ~/.codex-task/runs.db. */
  store?: RunStore | string | false;
  /** JSON logs: a pino logger, options for one, or false. Default: stderr at `CODEX_TASK_LOG_LEVEL` or info. */
  logger?: Logger | LoggerOptions | false;
  /** Prometheus metrics on this registry (or a new one), or false. */
  metrics?: Registry | boolean;
  /** Traces: a tracer setup, 'env' (OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set), or false. Default 'env'. */
  tracing?: TracingSetup | 'env' | false;
  /** Audit log: a log, a path, or false. Default: `CODEX_TASK_AUDIT_LOG` or ~/.codex-task/audit.jsonl. */
  audit?: AuditLog | string | false;
  /** The providers' circuit states, for `codex_task_circuit_state` and `/ready`. Default: the engine's `providerHealth()`. */
  circuits?: () => readonly CircuitReport[];
  redactor?: Redactor;
  retention?: RetentionPolicy;
  /** Store limit for tool arguments/results and turn texts. */
  maxFieldChars?: number;
  serviceVersion?: string;
}

export interface Observability {
  readonly correlation: TaskCorrelation;
  readonly redactor: Redactor;
  readonly store?: RunStore;
  readonly recorder?: RunRecorder;
  readonly logger?: Logger;
  readonly metrics?: Registry;
  readonly tracing?: TracingSetup;
  readonly audit?: AuditLog;
  readonly circuits: () => readonly CircuitReport[];
  /** `engine.start()`, with `taskId` as another name for the handle's `id`. */
  start(input: unknown, options?: TaskOptions): TaskHandle & { taskId: string };
  /** Detaches everything, flushes spans, closes what observe() opened. Tasks still live are marked interrupted. */
  close(): Promise<void>;
}

const home = (path: string) => join(homedir(), path.replace(/^~\//, ''));

/**
 * Everything issue 6 asks of an engine, wired in the one order that keeps ids consistent:
 * correlation, then tracing (its spans own the trace ids), then records, logs, metrics and audit.
 * Each part can be given ready-made, left to its default, or switched off.
 */
export function observe(engine: TaskEngine, options: ObserveOptions = {}): Observability {
  const env = options.env ?? process.env;
  const redactor =
    options.redactor ??
    createRedactor({ secrets: [...secretsFromEnv(env), ...engine.providers.map((p) => p.apiKey)] });
  const circuits = options.circuits ?? (() => circuitsOf(engine));
  const correlation = new TaskCorrelation();
  const detach: (() => void)[] = [correlation.attach(engine)];
  const owned: (() => void | Promise<void>)[] = [];

  const tracing =
    options.tracing === false
      ? undefined
      : options.tracing === 'env' || options.tracing === undefined
        ? createTracing({
            env,
            ...(options.serviceVersion ? { serviceVersion: options.serviceVersion } : {}),
          })
        : options.tracing;
  if (tracing) {
    detach.push(attachTracing(engine, tracing.tracer, { correlation, redactor }));
    if (options.tracing !== tracing) owned.push(() => tracing.shutdown());
  }

  let logger: Logger | undefined;
  if (options.logger !== false) {
    logger =
      options.logger && 'info' in options.logger
        ? options.logger
        : createLogger({
            level: (env.CODEX_TASK_LOG_LEVEL as LoggerOptions['level']) ?? OBSERVABILITY_DEFAULTS.logs.level,
            redactor,
            ...(options.logger as LoggerOptions | undefined),
          });
    detach.push(attachLogging(engine, logger, { correlation, redactor }));
  }
  const warn = (what: string) => (error: unknown) =>
    logger ? logger.warn({ err: error }, `${what} failed`) : process.emitWarning(`${what}: ${String(error)}`);

  let store: RunStore | undefined;
  let recorder: RunRecorder | undefined;
  if (options.store !== false) {
    store =
      options.store instanceof RunStore
        ? options.store
        : new RunStore({ ...(options.store ? { path: options.store } : {}), env });
    if (!(options.store instanceof RunStore)) owned.push(() => store?.close());
    recorder = attachRunRecorder(engine, store, {
      correlation,
      redactor,
      onError: warn('run store write'),
      ...(options.retention ? { retention: options.retention } : {}),
      ...(options.maxFieldChars ? { maxFieldChars: options.maxFieldChars } : {}),
    });
    detach.push(() => recorder?.detach());
  }

  let metrics: Registry | undefined;
  if (options.metrics !== false) {
    metrics = typeof options.metrics === 'object' ? options.metrics : createRegistry();
    const attached = attachMetrics(engine, metrics, { circuits });
    detach.push(attached.detach);
  }

  let audit: AuditLog | undefined;
  if (options.audit !== false) {
    audit =
      options.audit instanceof AuditLog
        ? options.audit
        : new AuditLog(options.audit ?? env.CODEX_TASK_AUDIT_LOG ?? home(OBSERVABILITY_DEFAULTS.auditLog));
    if (!(options.audit instanceof AuditLog)) owned.push(() => audit?.close());
    detach.push(attachAudit(engine, audit, { correlation, redactor }));
  }

  return {
    correlation,
    redactor,
    ...(store ? { store } : {}),
    ...(recorder ? { recorder } : {}),
    ...(logger ? { logger } : {}),
    ...(metrics ? { metrics } : {}),
    ...(tracing ? { tracing } : {}),
    ...(audit ? { audit } : {}),
    circuits,
    start: (input, taskOptions) => {
      const handle = engine.start(input, taskOptions);
      return { ...handle, taskId: handle.id };
    },
    close: async () => {
      for (const off of detach.reverse()) off();
      await tracing?.flush();
      for (const close of owned) await close();
    },
  };
}

const SEVERITY = ['closed', 'half-open', 'open', 'isolated'];

/** One state per provider: an engine may have several endpoints of one provider; the worst one shows. */
export function circuitsOf(engine: TaskEngine): CircuitReport[] {
  const worst = new Map<string, string>();
  for (const h of engine.providerHealth()) {
    const seen = worst.get(h.provider);
    if (!seen || SEVERITY.indexOf(h.circuit) > SEVERITY.indexOf(seen)) worst.set(h.provider, h.circuit);
  }
  return [...worst].map(([provider, state]) => ({ provider, state }));
}
