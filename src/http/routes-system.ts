import type { Registry } from 'prom-client';
import type { TaskEngine } from '../engine/index.ts';
import type { RunStore } from '../store/index.ts';
import type { CircuitReport } from '../telemetry/index.ts';
import { type ApiContext, json } from './api-env.ts';
import { notFound } from './http-error.ts';

export interface SystemContext {
  engine: TaskEngine;
  store: RunStore | undefined;
  metrics: Registry | undefined;
  circuits: () => readonly CircuitReport[];
  startedAt: number;
  /** Which server this is: `codex-task ui` sends the token of that kind, and no other. */
  kind: 'serve' | 'proxy';
}

/** GET /health — liveness only: the process answers. Never needs a token, never touches a dependency. */
export function health(ctx: SystemContext, c: ApiContext) {
  return json(c, 200, {
    status: 'ok',
    service: 'codex-task',
    kind: ctx.kind,
    uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
  });
}

/**
 * GET /ready — can this server do work? The store takes writes, the agents load, and at least one
 * provider's circuit is not open (all open = every task would fail over to nothing). 503 otherwise.
 */
export function ready(ctx: SystemContext, c: ApiContext) {
  const store = ctx.store
    ? { ok: ctx.store.writable(), path: ctx.store.path }
    : { ok: true, path: null, note: 'no run store configured' };
  let agents: { ok: boolean; count: number; errors: number; message?: string };
  try {
    const registry = ctx.engine.agents();
    agents = {
      ok: true,
      count: registry.list().length,
      errors: registry.problems().filter((p) => p.severity === 'error').length,
    };
  } catch (error) {
    agents = { ok: false, count: 0, errors: 1, message: (error as Error).message };
  }
  const circuits =
    ctx.circuits?.() ?? ctx.engine.providers.map((p) => ({ provider: p.id, state: 'unknown' }));
  const providers = {
    ok: circuits.length === 0 || circuits.some((c) => c.state !== 'open' && c.state !== 'isolated'),
    circuits: Object.fromEntries(circuits.map((c) => [c.provider, c.state])),
  };
  const ok = store.ok && agents.ok && providers.ok;
  return json(c, ok ? 200 : 503, {
    status: ok ? 'ready' : 'not_ready',
    checks: { store, agents, providers },
  });
}

/** GET /metrics — Prometheus text format. */
export async function metrics(ctx: SystemContext, c: ApiContext) {
  if (!ctx.metrics) throw notFound('Metrics (not enabled on this server)');
  const text = await ctx.metrics.metrics();
  return c.body(text, 200, { 'content-type': ctx.metrics.contentType });
}

/** GET /v1/agents — the agents this server's tasks can use, and the problems of those that do not load. */
export function agents(ctx: SystemContext, c: ApiContext) {
  const registry = ctx.engine.agents();
  return json(c, 200, {
    agents: registry.list().map((a) => ({
      name: a.name,
      description: a.description,
      scope: a.scope,
      model: a.model ?? 'inherit',
      tools: a.tools ?? null,
      disallowedTools: a.disallowedTools,
      ...(a.file ? { file: a.file } : {}),
      hash: a.hash,
    })),
    problems: registry.problems(),
  });
}
