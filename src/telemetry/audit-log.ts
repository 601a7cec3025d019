import type { AgentFileChange } from '../agents/index.ts';
import type { TaskEngine, TaskEventBase } from '../engine/index.ts';
import type { TaskCorrelation } from './correlation.ts';
import { listen } from './listen.ts';
import { createRedactor, type Redactor, summarizeArgs } from './redact.ts';
import { TickWriter } from './tick-writer.ts';

/**
 * The audit trail: an append-only JSONL file (written a tick at a time, see TickWriter), readable
 * only by its owner — arguments are redacted, but they are still the user's data.
 */
export class AuditLog {
  readonly path: string;
  readonly #file: TickWriter;

  constructor(path: string) {
    this.path = path;
    this.#file = new TickWriter(path, 0o600);
  }

  write(record: Record<string, unknown>): void {
    this.#file.write(`${JSON.stringify({ ts: new Date().toISOString(), ...record })}\n`);
  }

  flush(): void {
    this.#file.flush();
  }

  close(): void {
    this.#file.close();
  }
}

export interface AuditOptions {
  correlation: TaskCorrelation;
  redactor?: Redactor;
  /** Arguments are summarised as JSON cut to this many characters. */
  maxArgsChars?: number;
  /** Working directories whose agent files are watched (default: the engine's). */
  cwds?: readonly (string | undefined)[];
}

/**
 * Audits every tool call of every subagent — the decision (allowed, or denied and why) when it is
 * made, the outcome when it ends — and every agent-file change hot reload picks up.
 */
export function attachAudit(engine: TaskEngine, audit: AuditLog, options: AuditOptions): () => void {
  const redactor = options.redactor ?? createRedactor();
  const max = options.maxArgsChars ?? 500;
  const who = (e: TaskEventBase) => options.correlation.fieldsOf(e);
  const stopEvents = listen(engine, {
    'task.permissions': (e) =>
      audit.write({
        event: 'task.permissions',
        ...who(e),
        mode: e.mode,
        sources: e.sources,
        ...(e.warnings.length ? { warnings: e.warnings.map((w) => redactor.text(w)) } : {}),
      }),
    'task.tool': (e) => {
      const call = { ...who(e), tool: e.name, callId: e.callId };
      // Which rule decided, from which file, in which mode (absent when no policy was in force).
      const policy = e.policy
        ? {
            mode: e.policy.mode,
            ...(e.policy.rule ? { rule: redactor.text(e.policy.rule), source: e.policy.source } : {}),
          }
        : {};
      if (e.phase === 'started') {
        audit.write({
          event: 'tool.call',
          ...call,
          args: summarizeArgs(redactor, e.input, max),
          decision: 'allowed',
          ...policy,
          ...(e.policy ? { reason: redactor.text(e.policy.reason).slice(0, max) } : {}),
        });
      } else if (e.denied) {
        audit.write({
          event: 'tool.call',
          ...call,
          args: summarizeArgs(redactor, e.input, max),
          decision: 'denied',
          ...policy,
          reason: redactor.text(e.policy?.reason ?? e.error ?? 'not granted to this agent').slice(0, max),
        });
      } else {
        audit.write({
          event: 'tool.result',
          ...call,
          outcome: e.error === undefined ? 'ok' : 'error',
          durationMs: Math.round(e.durationMs ?? 0),
          ...(e.error !== undefined ? { error: redactor.text(e.error).slice(0, max) } : {}),
        });
      }
    },
  });
  const onChange = (c: AgentFileChange) =>
    audit.write({
      event: 'agent.file',
      change: c.change,
      file: c.file,
      scope: c.scope,
      ...(c.name ? { name: c.name } : {}),
      ...(c.hash ? { hash: c.hash } : {}),
      ...(c.errors.length ? { errors: c.errors.map((p) => `${p.field ?? ''} ${p.message}`.trim()) } : {}),
    });
  const unsubscribe = (options.cwds ?? [undefined]).map((cwd) => engine.agents(cwd).onChange(onChange));
  return () => {
    stopEvents();
    for (const off of unsubscribe) off();
  };
}
