import {
  BudgetExceededError,
  CodexTaskError,
  TaskCancelledError,
  TaskInterruptedError,
  TaskTimeoutError,
} from '../errors/index.ts';
import { type ProviderConfig, type ResolvedModel, resolveSpec, toProviderError } from '../models/index.ts';
import { nextTier } from './model-routing.ts';
import type { TaskPlan } from './subagent-plan.ts';
import type { RunState } from './subagent-run.ts';

// `model: auto` escalation (docs/model-routing.md): a run on a routed tier that fails is re-run once,
// from the start, on the next tier of the same provider (haiku → sonnet → opus).

/**
 * Why a failed run deserves a second one on a stronger tier, or undefined when a stronger model
 * would not help: cancelled, timed out, engine closed (the signal says so) or out of budget.
 */
export function escalationReason(error: unknown, signal: AbortSignal): string | undefined {
  if (signal.aborted) return undefined;
  if (
    error instanceof BudgetExceededError ||
    error instanceof TaskCancelledError ||
    error instanceof TaskInterruptedError ||
    error instanceof TaskTimeoutError
  )
    return undefined;
  if (error instanceof CodexTaskError) return `${error.type}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The model one tier up on the same provider, its routing saying it escalated; undefined when the
 * task was not routed, already escalated, is on the top tier, or no higher tier has another model.
 */
export function escalationTarget(
  from: ResolvedModel,
  providers: readonly ProviderConfig[],
  reason: string,
): ResolvedModel | undefined {
  const routing = from.routing;
  if (!routing || routing.escalatedFrom) return undefined;
  for (let tier = nextTier(routing.chosen); tier; tier = nextTier(tier)) {
    let target: ReturnType<typeof resolveSpec>;
    try {
      target = resolveSpec(`${from.provider.id}:${tier}`, providers);
    } catch {
      return undefined; // an OpenAI-compatible server without that tier
    }
    const spec = `${target.provider.id}:${target.modelId}`;
    if (spec === from.spec) continue;
    return {
      ...target,
      spec,
      requested: from.requested,
      source: from.source,
      routing: { ...routing, chosen: tier, escalatedFrom: routing.chosen, escalationReason: reason },
    };
  }
  return undefined;
}

/**
 * Runs `attempt`; when it fails on a routed tier that may escalate, and the budget allows, points
 * the plan at the next tier and runs it once more. The second run starts afresh (the first one's
 * text is dropped; its usage, turns and tool calls still count) and sees the workspace as the first
 * left it.
 */
export async function runEscalating(p: {
  plan: TaskPlan;
  providers: readonly ProviderConfig[];
  signal: AbortSignal;
  state: RunState;
  /** Throws (BudgetExceeded) when the run may not spend more. */
  checkBudget: () => Promise<void> | undefined;
  attempt: () => Promise<string>;
}): Promise<string> {
  try {
    return await p.attempt();
  } catch (error) {
    if (!p.plan.escalate) throw error;
    const failed = p.plan.resolved;
    const reason = escalationReason(toProviderError(error, failed.provider, failed.modelId), p.signal);
    const target = reason === undefined ? undefined : escalationTarget(failed, p.providers, reason);
    if (!target || !(await canSpend(p.checkBudget))) throw error;
    p.plan.resolved = target;
    p.state.texts.length = 0;
    p.state.turnText = undefined;
    return p.attempt();
  }
}

async function canSpend(checkBudget: () => Promise<void> | undefined): Promise<boolean> {
  try {
    await checkBudget();
    return true;
  } catch {
    return false;
  }
}
