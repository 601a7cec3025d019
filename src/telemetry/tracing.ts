import { createRequire } from 'node:module';
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import type { TaskEngine, TaskEventBase } from '../engine/index.ts';
import type { TaskCorrelation } from './correlation.ts';
import { GEN_AI, GEN_AI_OPERATION, providerName } from './gen-ai-attributes.ts';
import { listen } from './listen.ts';
import { type ModelCall, trackModelCalls } from './model-calls.ts';
import { createRedactor, type Redactor, summarizeArgs } from './redact.ts';

// Loaded when tracing is attached, not when telemetry is imported: tracing off costs nothing.
const require = createRequire(import.meta.url);

export interface TracingOptions {
  correlation: TaskCorrelation;
  redactor?: Redactor;
  /** Put tool arguments (redacted, cut to `maxArgumentChars`) on tool spans. Default true. */
  captureToolArguments?: boolean;
  maxArgumentChars?: number;
}

/**
 * A span per task (`invoke_agent`), per model request (`chat`) and per tool call (`execute_tool`),
 * with the GenAI semantic conventions. Model and tool spans are children of their task's span; a
 * nested task's span is a child of the `Task` tool call that started it, so a trace reads as the
 * delegation tree it was. Spans are built from the engine's events with explicit times and parents:
 * no context manager, nothing global.
 */
export function attachTracing(engine: TaskEngine, tracer: Tracer, options: TracingOptions): () => void {
  const { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } =
    require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { correlation } = options;
  const redactor = options.redactor ?? createRedactor();
  const captureArgs = options.captureToolArguments ?? true;
  const maxArgs = options.maxArgumentChars ?? 1000;
  const tasks = new Map<string, Span>();
  const tools = new Map<string, Span>();
  const toolKey = (taskId: string, callId: string) => `${taskId}\u0000${callId}`;

  const taskSpan = (e: TaskEventBase, startTime = Date.now()): Span => {
    let span = tasks.get(e.taskId);
    if (span) return span;
    const parent =
      (e.parentTaskId && e.parentCallId && tools.get(toolKey(e.parentTaskId, e.parentCallId))) ||
      (e.parentTaskId && tasks.get(e.parentTaskId)) ||
      undefined;
    const ctx: Context = parent ? trace.setSpan(context.active(), parent) : ROOT_CONTEXT;
    span = tracer.startSpan(
      `${GEN_AI_OPERATION.invokeAgent} ${e.agentType}`,
      {
        kind: SpanKind.INTERNAL,
        startTime,
        attributes: {
          [GEN_AI.operationName]: GEN_AI_OPERATION.invokeAgent,
          [GEN_AI.agentName]: e.agentType,
          [GEN_AI.agentId]: e.taskId,
          [GEN_AI.agentDescription]: redactor.text(e.description),
          'codex_task.spawn_depth': e.spawnDepth,
          ...(e.parentTaskId ? { 'codex_task.parent_task_id': e.parentTaskId } : {}),
        },
      },
      ctx,
    );
    tasks.set(e.taskId, span);
    return span;
  };
  // Whoever asks for a task's trace id first (a log line, a run record) opens its span.
  correlation.useTraceIds((task) => taskSpan(task).spanContext().traceId);

  const childOf = (taskId: string): Context => {
    const parent = tasks.get(taskId);
    return parent ? trace.setSpan(context.active(), parent) : ROOT_CONTEXT;
  };

  const onModelCall = (call: ModelCall) => {
    const u = call.usage;
    const attributes: Attributes = {
      [GEN_AI.operationName]: GEN_AI_OPERATION.chat,
      [GEN_AI.providerName]: providerName(call.provider),
      [GEN_AI.requestModel]: call.model,
      'codex_task.turn': call.turn,
      'codex_task.attempt': call.attempt,
      'codex_task.outcome': call.outcome,
      ...(u
        ? {
            [GEN_AI.usageInputTokens]: u.input,
            [GEN_AI.usageOutputTokens]: u.output,
            [GEN_AI.usageCacheReadInputTokens]: u.cacheRead,
            [GEN_AI.usageCacheCreationInputTokens]: u.cacheWrite,
          }
        : {}),
      ...(call.costUsd !== undefined && call.costUsd !== null ? { 'codex_task.cost_usd': call.costUsd } : {}),
      ...(call.status !== undefined ? { 'http.response.status_code': call.status } : {}),
    };
    const span = tracer.startSpan(
      `${GEN_AI_OPERATION.chat} ${call.model}`,
      { kind: SpanKind.CLIENT, startTime: call.startedAt, attributes },
      childOf(call.task.taskId),
    );
    if (call.outcome !== 'ok') {
      span.setAttribute(GEN_AI.errorType, call.reason ?? call.outcome);
      span.setStatus({ code: SpanStatusCode.ERROR, message: redactor.text(call.error ?? call.outcome) });
    }
    span.end(call.startedAt + call.durationMs);
  };

  const toolAttributes = (e: { name: string; callId: string; input: unknown }): Attributes => ({
    [GEN_AI.operationName]: GEN_AI_OPERATION.executeTool,
    [GEN_AI.toolName]: e.name,
    [GEN_AI.toolCallId]: e.callId,
    [GEN_AI.toolType]: 'function',
    ...(captureArgs ? { [GEN_AI.toolCallArguments]: summarizeArgs(redactor, e.input, maxArgs) } : {}),
  });

  const stopModelCalls = trackModelCalls(engine, onModelCall);
  const stopEvents = listen(engine, {
    // The task span opens at admission (queueing is part of what a user waits for).
    'task.queued': (e) => void taskSpan(e),
    'task.started': (e) => {
      const [provider = '', ...model] = e.resolvedModel.split(':');
      taskSpan(e).setAttributes({
        [GEN_AI.providerName]: providerName(provider),
        [GEN_AI.requestModel]: model.join(':') || e.resolvedModel,
      });
    },
    'task.tool': (e) => {
      const key = toolKey(e.taskId, e.callId);
      if (e.phase === 'started') {
        tools.set(
          key,
          tracer.startSpan(
            `${GEN_AI_OPERATION.executeTool} ${e.name}`,
            { kind: SpanKind.INTERNAL, attributes: toolAttributes(e) },
            childOf(e.taskId),
          ),
        );
        return;
      }
      // A refused call never started: its span is a point in time.
      const span =
        tools.get(key) ??
        tracer.startSpan(
          `${GEN_AI_OPERATION.executeTool} ${e.name}`,
          { kind: SpanKind.INTERNAL, attributes: toolAttributes(e) },
          childOf(e.taskId),
        );
      tools.delete(key);
      if (e.denied) span.setAttribute('codex_task.tool.denied', true);
      if (e.error !== undefined) {
        span.setAttribute(GEN_AI.errorType, e.denied ? 'ToolDenied' : 'ToolExecution');
        span.setStatus({ code: SpanStatusCode.ERROR, message: redactor.text(e.error).slice(0, maxArgs) });
      }
      span.end();
    },
    'task.finished': (e) => {
      const r = e.result;
      const span = taskSpan(e, Date.now() - r.totalDurationMs);
      span.setAttributes({
        [GEN_AI.usageInputTokens]: r.usage.inputTokens,
        [GEN_AI.usageOutputTokens]: r.usage.outputTokens,
        [GEN_AI.usageCacheReadInputTokens]: r.usage.cacheReadTokens,
        [GEN_AI.usageCacheCreationInputTokens]: r.usage.cacheWriteTokens,
        'codex_task.status': r.status,
        'codex_task.turns': r.turns,
        'codex_task.tool_uses': r.totalToolUseCount,
        ...(r.usage.costUsd !== null ? { 'codex_task.cost_usd': r.usage.costUsd } : {}),
      });
      if (r.status !== 'completed') {
        span.setAttribute(GEN_AI.errorType, r.error?.type ?? r.status);
        span.setStatus({ code: SpanStatusCode.ERROR, message: redactor.text(r.error?.message ?? r.status) });
      }
      // Tool calls still open (a cancelled task) end with it, marked as such.
      for (const [key, tool] of tools) {
        if (!key.startsWith(`${e.taskId}\u0000`)) continue;
        tool.setStatus({ code: SpanStatusCode.ERROR, message: `task ${r.status}` });
        tool.end();
        tools.delete(key);
      }
      // In a microtask: the model-call tracker (also a task.finished listener) may still add a span.
      queueMicrotask(() => {
        span.end();
        tasks.delete(e.taskId);
      });
    },
  });
  return () => {
    stopModelCalls();
    stopEvents();
    correlation.useTraceIds(undefined);
  };
}
