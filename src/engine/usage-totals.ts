import type { CallUsage } from '../models/index.ts';
import type { ModelUsage, TaskUsage } from './types.ts';

export function emptyUsage(): TaskUsage {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    totalTokens: 0,
    costUsd: 0,
  };
}

/** Adds one model call. Cost turns null for good at the first call of unknown price: a partial sum would understate it. */
export function addCallUsage(total: TaskUsage, usage: CallUsage, costUsd: number | null): void {
  total.inputTokens += usage.inputTokens;
  total.outputTokens += usage.outputTokens;
  total.cacheReadTokens += usage.cacheReadTokens;
  total.cacheWriteTokens += usage.cacheWriteTokens;
  total.totalTokens = total.inputTokens + total.outputTokens;
  total.costUsd = total.costUsd === null || costUsd === null ? null : total.costUsd + costUsd;
}

/** What an engine (one session or run) has used, live: tasks, tokens and cost, per agent type and per model. */
export interface UsageTotals {
  /** Tasks started (admitted past validation and budgets). */
  tasks: number;
  usage: TaskUsage;
  /** Sum of the costs that are known, even where some calls were unpriced (what `maxCostUsd` counts). */
  knownCostUsd: number;
  /** Model calls whose model has no price: their tokens are counted, their cost is not. */
  unpricedCalls: number;
  byAgentType: Record<string, TaskUsage & { tasks: number }>;
  byModel: Record<string, ModelUsage>;
}

export class UsageLedger {
  readonly #totals: UsageTotals = {
    tasks: 0,
    usage: emptyUsage(),
    knownCostUsd: 0,
    unpricedCalls: 0,
    byAgentType: {},
    byModel: {},
  };

  get knownCostUsd(): number {
    return this.#totals.knownCostUsd;
  }

  get tasks(): number {
    return this.#totals.tasks;
  }

  taskStarted(agentType: string): void {
    this.#totals.tasks++;
    this.#agent(agentType).tasks++;
  }

  modelCall(agentType: string, model: string, usage: CallUsage, costUsd: number | null): void {
    const t = this.#totals;
    addCallUsage(t.usage, usage, costUsd);
    addCallUsage(this.#agent(agentType), usage, costUsd);
    let byModel = t.byModel[model];
    if (!byModel) {
      byModel = { model, calls: 0, ...emptyUsage() };
      t.byModel[model] = byModel;
    }
    byModel.calls++;
    addCallUsage(byModel, usage, costUsd);
    if (costUsd === null) t.unpricedCalls++;
    else t.knownCostUsd += costUsd;
  }

  /** A deep copy: callers may keep it. */
  snapshot(): UsageTotals {
    return structuredClone(this.#totals);
  }

  #agent(agentType: string): TaskUsage & { tasks: number } {
    let entry = this.#totals.byAgentType[agentType];
    if (!entry) {
      entry = { tasks: 0, ...emptyUsage() };
      this.#totals.byAgentType[agentType] = entry;
    }
    return entry;
  }
}
