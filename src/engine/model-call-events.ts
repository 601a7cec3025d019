import type { AttemptReport, GatewayObserver } from '../models/index.ts';
import type { BudgetLedger } from './budgets.ts';
import type { RunState } from './subagent-run.ts';
import type { TaskEventSink } from './task-events.ts';
import type { TaskEventBase } from './types.ts';
import type { UsageLedger } from './usage-totals.ts';

/**
 * What one task does with its model calls: time and usage into its RunState and the engine's ledger,
 * the cost budget checked before every attempt, and a `task.model_call` event per attempt (the
 * successful one carries usage and cost) plus `task.failover` per switch.
 */
export function taskModelObserver(p: {
  state: RunState;
  base: TaskEventBase;
  events: TaskEventSink;
  ledger: UsageLedger;
  budget: BudgetLedger;
  /** Called before every attempt, first of all before the task's first request (see DispatchChain). */
  onAttempt?: () => void;
}): GatewayObserver {
  const { state, base, events, ledger, budget } = p;
  let succeeded: AttemptReport | undefined;
  return {
    onCallEnd: ({ durationMs, text }) => {
      state.modelMs += durationMs;
      state.turnText = text;
    },
    beforeAttempt: () => {
      const checked = budget.checkCost();
      if (!checked) return p.onAttempt?.();
      return checked.then(() => p.onAttempt?.());
    },
    onAttempt: (report) => {
      if (report.outcome === 'retry' || report.outcome === 'failover') state.retries++;
      // The successful attempt is announced with its usage, which arrives right after it.
      if (report.outcome === 'ok') succeeded = report;
      else events.emit('task.model_call', { ...base, turn: state.turns + 1, ...report });
    },
    onFailover: (report) => {
      const record = { turn: state.turns + 1, ...report };
      state.failovers.push(record);
      events.emit('task.failover', { ...base, ...record });
    },
    onUsage: ({ model, usage, costUsd }) => {
      state.modelCall(model, usage, costUsd);
      ledger.modelCall(base.agentType, model, usage, costUsd);
      // A shared budget keeps a failed add and reports it at the next check.
      if (costUsd !== null) void budget.addCost(costUsd);
      if (!succeeded) return;
      const report = succeeded;
      succeeded = undefined;
      events.emit('task.model_call', {
        ...base,
        turn: state.turns + 1,
        ...report,
        usage: {
          input: usage.inputTokens,
          output: usage.outputTokens,
          cacheRead: usage.cacheReadTokens,
          cacheWrite: usage.cacheWriteTokens,
        },
        costUsd,
      });
    },
  };
}
