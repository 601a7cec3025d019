import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import type { TaskEngine, TaskEventBase } from '../engine/index.ts';
import type { TaskCorrelation } from './correlation.ts';
import { listen } from './listen.ts';
import { createRedactor, type Redactor, summarizeArgs } from './redact.ts';
import { TickWriter } from './tick-writer.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: Level | 'silent';
  /** Where lines go: a pino destination, a file path (appended) or a file descriptor. Default: stderr. */
  destination?: DestinationStream | string | number;
  /**
   * A file path is written a tick at a time (TickWriter: one syscall per macrotask, never per line;
   * a kill -9 loses at most the last tick's lines). `sync: true` writes each line at once instead.
   */
  sync?: boolean;
  redactor?: Redactor;
  /** Fields on every line (e.g. `{ service: 'codex-task' }`). */
  base?: Record<string, unknown>;
  /**
   * `pretty`: one readable line per event (pino-pretty), for a person at a terminal. Default: pretty
   * when the destination is a file descriptor that is a terminal, JSON otherwise (pipes, files, CI).
   */
  format?: 'json' | 'pretty';
}

/**
 * JSON lines, one object per event (on a terminal, the same events as readable lines). Every object
 * and every message string passes through the redactor (pino's own `redact` only knows fixed paths;
 * a key inside a tool argument has none). stdout is left to the CLI's results (and to MCP's stdio
 * channel): logs go to stderr unless told otherwise.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const redactor = options.redactor ?? createRedactor();
  const dest = options.destination ?? 2;
  const pretty = typeof dest === 'number' && (options.format ? options.format === 'pretty' : isatty(dest));
  const stream = pretty
    ? prettyStream(dest)
    : typeof dest === 'number' || (typeof dest === 'string' && options.sync)
      ? pino.destination({ dest, sync: true, mkdir: true })
      : typeof dest === 'string'
        ? new TickWriter(dest, 0o600)
        : dest;
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactor.value(object),
        bindings: (bindings) => redactor.value(bindings),
      },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((a) => (typeof a === 'string' ? redactor.text(a) : a));
          method.apply(this, redacted as Parameters<typeof method>);
        },
      },
    },
    stream,
  );
}

/**
 * pino-pretty, in this thread and synchronous (a transport's worker could lose the last lines at
 * exit), writing to the same descriptor. Required here, not imported at the top: JSON runs (every
 * pipe, file and CI log) never load it.
 */
function prettyStream(fd: number): DestinationStream {
  const build = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return build({
    destination: fd,
    sync: true,
    // hasColors() honours NO_COLOR and FORCE_COLOR.
    colorize: (fd === 2 ? process.stderr : fd === 1 ? process.stdout : undefined)?.hasColors?.() === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
  });
}

export interface LoggingOptions {
  correlation: TaskCorrelation;
  redactor?: Redactor;
  /** Tool arguments and errors are cut to this many characters on a log line. */
  maxFieldChars?: number;
}

/** Logs the engine's task events: what a person reads to find which subagent did what. */
export function attachLogging(engine: TaskEngine, logger: Logger, options: LoggingOptions): () => void {
  const redactor = options.redactor ?? createRedactor();
  const max = options.maxFieldChars ?? 500;
  const ids = (e: TaskEventBase) => options.correlation.fieldsOf(e);
  // Debug lines are built only when they will be written: the fields cost more than the check.
  const debug = () => logger.isLevelEnabled('debug');
  return listen(engine, {
    'task.queued': (e) => {
      // A client's call (Codex's thread and call ids) is worth a line at info: it joins the client's logs to ours.
      if (e.caller) {
        logger.info(
          { ...ids(e), callerThreadId: e.caller.threadId, callerCallId: e.caller.callId },
          'task queued for a client call',
        );
      } else if (debug())
        logger.debug({ ...ids(e), queueDepth: e.queueDepth, description: e.description }, 'task queued');
    },
    'task.started': (e) =>
      logger.info(
        { ...ids(e), model: e.resolvedModel, spawnDepth: e.spawnDepth, description: e.description },
        'task started',
      ),
    'task.turn': (e) => {
      if (!debug()) return;
      logger.debug(
        {
          ...ids(e),
          turn: e.turn,
          toolCalls: e.toolCalls.map((c) => c.name),
          tokens: e.usage,
          finishReason: e.finishReason,
        },
        'model turn',
      );
    },
    'task.tool': (e) => {
      if (e.phase === 'started' && !debug()) return;
      const fields = {
        ...ids(e),
        turn: e.turn,
        tool: e.name,
        callId: e.callId,
        args: summarizeArgs(redactor, e.input, max),
      };
      if (e.phase === 'started') return logger.debug(fields, 'tool call started');
      if (e.denied) return logger.warn({ ...fields, outcome: 'denied', reason: e.error }, 'tool call denied');
      if (e.error !== undefined) {
        return logger.info(
          { ...fields, outcome: 'error', durationMs: e.durationMs, error: e.error.slice(0, max) },
          'tool call failed',
        );
      }
      logger.info({ ...fields, outcome: 'ok', durationMs: e.durationMs }, 'tool call finished');
    },
    'task.model_call': (e) => {
      if (e.outcome === 'ok' && !debug()) return;
      const fields = {
        ...ids(e),
        turn: e.turn,
        attempt: e.attempt,
        model: e.model,
        outcome: e.outcome,
        latencyMs: Math.round(e.latencyMs),
        ...(e.queuedMs ? { queuedMs: Math.round(e.queuedMs) } : {}),
      };
      if (e.outcome === 'ok')
        return logger.debug({ ...fields, tokens: e.usage, costUsd: e.costUsd }, 'model call');
      logger.warn(
        {
          ...fields,
          ...(e.status !== undefined ? { status: e.status } : {}),
          reason: e.reason,
          error: e.error?.slice(0, max),
          ...(e.waitMs !== undefined ? { waitMs: Math.round(e.waitMs) } : {}),
        },
        e.outcome === 'retry'
          ? 'model call failed, retrying'
          : e.outcome === 'failover'
            ? 'model call failed, failing over'
            : 'model call failed',
      );
    },
    'task.failover': (e) =>
      logger.warn({ ...ids(e), turn: e.turn, from: e.from, to: e.to, reason: e.reason }, 'model failover'),
    'task.finished': (e) => {
      const r = e.result;
      const fields = {
        ...ids(e),
        status: r.status,
        model: r.resolvedModel,
        durationMs: Math.round(r.totalDurationMs),
        turns: r.turns,
        toolUses: r.totalToolUseCount,
        tokens: { input: r.usage.inputTokens, output: r.usage.outputTokens },
        costUsd: r.usage.costUsd,
        ...(r.modelsUsed.length > 1 ? { modelsUsed: r.modelsUsed.map((m) => m.model) } : {}),
        ...(r.retries ? { retries: r.retries } : {}),
        ...(r.failovers.length ? { failovers: r.failovers.length } : {}),
        ...(r.error ? { error: r.error } : {}),
      };
      if (r.status === 'completed') logger.info(fields, 'task finished');
      else if (r.status === 'cancelled') logger.warn(fields, 'task cancelled');
      else logger.error(fields, r.status === 'timed_out' ? 'task timed out' : 'task failed');
    },
  });
}
