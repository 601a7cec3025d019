import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';
import type { TaskEngine } from '../engine/index.ts';

import { listen } from './listen.ts';
import { type ModelCall, trackModelCalls } from './model-calls.ts';

type ProviderConcurrency = ReturnType<TaskEngine['providerHealth']>[number]['concurrency'];

/** A provider's circuit as `/metrics` and `/ready` report it. */
export interface CircuitReport {
  provider: string;
  state: 'closed' | 'half-open' | 'open' | 'isolated' | (string & {});
}

export interface MetricsOptions {
  /** The providers' circuit states, read at scrape time (the engine's resilience layer knows them). */
  circuits?: () => readonly CircuitReport[];
  /** Also export Node's process metrics (CPU, memory, event-loop lag), prefixed `codex_task_`. */
  processMetrics?: boolean;
}

// prom-client takes ~90 ms to import: loaded when metrics are attached, not with telemetry.
const require = createRequire(import.meta.url);
const promClient = () => require('prom-client') as typeof import('prom-client');

/** A fresh registry (never prom-client's global one). */
export function createRegistry(): Registry {
  return new (promClient().Registry)();
}

const CIRCUIT_VALUE: Record<string, number> = { closed: 0, 'half-open': 1, open: 2, isolated: 3 };
const seconds = (ms: number) => ms / 1000;

/**
 * Prometheus metrics of one engine, on `registry` (a fresh one by default, never prom-client's
 * global: two engines in a process, or a test, must not share counters). Labels are bounded:
 * agent names, providers, models and tool names — never task ids.
 */
export function attachMetrics(
  engine: TaskEngine,
  registry: Registry = createRegistry(),
  options: MetricsOptions = {},
): { registry: Registry; detach: () => void } {
  const { Counter, collectDefaultMetrics, Gauge, Histogram } = promClient();
  const registers = [registry];
  const started = new Counter({
    name: 'codex_task_tasks_started_total',
    help: 'Tasks that got a slot and started running, by agent',
    labelNames: ['agent'] as const,
    registers,
  });
  const finished = new Counter({
    name: 'codex_task_tasks_finished_total',
    help: 'Tasks that ended, by agent and status (completed, failed, timed_out, cancelled)',
    labelNames: ['agent', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'codex_task_task_duration_seconds',
    help: 'Wall time of a task from Task() to its result, queueing included',
    labelNames: ['agent', 'status'] as const,
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers,
  });
  const queueWait = new Histogram({
    name: 'codex_task_queue_wait_seconds',
    help: 'Time a task waited for a concurrency slot',
    labelNames: ['agent'] as const,
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 30, 120],
    registers,
  });
  const overhead = new Histogram({
    name: 'codex_task_coordination_overhead_seconds',
    help: "A task's wall time not spent queueing, in model calls or in tools: the engine's own cost",
    labelNames: ['agent'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers,
  });
  const modelDuration = new Histogram({
    name: 'codex_task_model_call_duration_seconds',
    help: 'Latency of one model request attempt',
    labelNames: ['provider', 'model'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers,
  });
  const modelCalls = new Counter({
    name: 'codex_task_model_calls_total',
    help: 'Model request attempts by outcome (ok, retry, failover, failed, timeout, cancelled)',
    labelNames: ['provider', 'model', 'outcome'] as const,
    registers,
  });
  const modelErrors = new Counter({
    name: 'codex_task_model_call_errors_total',
    help: 'Failed model request attempts by reason (429, 503, connection, timeout, circuit-open, …)',
    labelNames: ['provider', 'model', 'reason'] as const,
    registers,
  });
  const modelRetries = new Counter({
    name: 'codex_task_model_call_retries_total',
    help: 'Failed model request attempts that were retried, here or on a failover candidate',
    labelNames: ['provider', 'model'] as const,
    registers,
  });
  const tokens = new Counter({
    name: 'codex_task_tokens_total',
    help: 'Tokens by provider, model, agent and type (input, output, cache_read, cache_write)',
    labelNames: ['provider', 'model', 'agent', 'type'] as const,
    registers,
  });
  const cost = new Counter({
    name: 'codex_task_cost_usd_total',
    help: 'Cost in USD of model calls whose price is known',
    labelNames: ['provider', 'model', 'agent'] as const,
    registers,
  });
  const toolCalls = new Counter({
    name: 'codex_task_tool_calls_total',
    help: 'Tool calls by tool and outcome (ok, error, denied)',
    labelNames: ['tool', 'outcome'] as const,
    registers,
  });
  const toolDuration = new Histogram({
    name: 'codex_task_tool_call_duration_seconds',
    help: 'Duration of one tool call',
    labelNames: ['tool'] as const,
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
    registers,
  });
  new Gauge({
    name: 'codex_task_queue_depth',
    help: 'Tasks waiting for a concurrency slot',
    registers,
    collect() {
      this.set(engine.load.queued);
    },
  });
  new Gauge({
    name: 'codex_task_tasks_in_flight',
    help: 'Tasks holding a concurrency slot',
    registers,
    collect() {
      this.set(engine.load.active);
    },
  });
  new Gauge({
    name: 'codex_task_concurrency_limit',
    help: 'Concurrency slots of the engine',
    registers,
    collect() {
      this.set(engine.load.limit);
    },
  });
  const perProvider = (name: string, help: string, value: (c: ProviderConcurrency) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['provider'] as const,
      registers,
      collect() {
        this.reset();
        for (const h of engine.providerHealth()) this.set({ provider: h.provider }, value(h.concurrency));
      },
    });
  perProvider(
    'codex_task_provider_concurrency_limit',
    'Model calls that may be in flight to a provider: its adaptive limit, cut on 429/503/529',
    (c) => c.limit,
  );
  perProvider(
    'codex_task_provider_calls_in_flight',
    'Model calls in flight to a provider',
    (c) => c.inFlight,
  );
  if (options.circuits) {
    const circuits = options.circuits;
    new Gauge({
      name: 'codex_task_circuit_state',
      help: "A provider's circuit breaker: 0 closed, 1 half-open, 2 open, 3 isolated (held open by hand)",
      labelNames: ['provider'] as const,
      registers,
      collect() {
        this.reset();
        for (const c of circuits()) this.set({ provider: c.provider }, CIRCUIT_VALUE[c.state] ?? -1);
      },
    });
  }
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'codex_task_' });

  const onModelCall = (call: ModelCall) => {
    const labels = { provider: call.provider, model: call.model };
    modelDuration.observe(labels, seconds(call.durationMs));
    modelCalls.inc({ ...labels, outcome: call.outcome });
    if (call.outcome !== 'ok' && call.outcome !== 'cancelled') {
      modelErrors.inc({ ...labels, reason: call.reason ?? call.outcome });
    }
    if (call.outcome === 'retry' || call.outcome === 'failover') modelRetries.inc(labels);
    const agent = { ...labels, agent: call.task.agentType };
    const u = call.usage;
    if (u?.input) tokens.inc({ ...agent, type: 'input' }, u.input);
    if (u?.output) tokens.inc({ ...agent, type: 'output' }, u.output);
    if (u?.cacheRead) tokens.inc({ ...agent, type: 'cache_read' }, u.cacheRead);
    if (u?.cacheWrite) tokens.inc({ ...agent, type: 'cache_write' }, u.cacheWrite);
    if (call.costUsd) cost.inc(agent, call.costUsd);
  };
  const stopModelCalls = trackModelCalls(engine, onModelCall);
  const stopEvents = listen(engine, {
    'task.started': (e) => started.inc({ agent: e.agentType }),
    'task.tool': (e) => {
      if (e.phase !== 'finished') return;
      const outcome = e.denied ? 'denied' : e.error !== undefined ? 'error' : 'ok';
      toolCalls.inc({ tool: e.name, outcome });
      if (e.durationMs !== undefined) toolDuration.observe({ tool: e.name }, seconds(e.durationMs));
    },
    'task.finished': ({ result: r }) => {
      const agent = r.agentType;
      finished.inc({ agent, status: r.status });
      duration.observe({ agent, status: r.status }, seconds(r.totalDurationMs));
      if (r.resolvedModel === null) return; // failed before it was admitted: no queueing, no model
      queueWait.observe({ agent }, seconds(r.timings.queuedMs));
      const own = r.totalDurationMs - r.timings.queuedMs - r.timings.modelMs - r.timings.toolMs;
      overhead.observe({ agent }, seconds(Math.max(0, own)));
    },
  });
  return {
    registry,
    detach: () => {
      stopModelCalls();
      stopEvents();
    },
  };
}
