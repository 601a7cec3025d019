import { ENGINE_DEFAULTS } from '../config/defaults/index.ts';
import { BudgetExceededError } from '../errors/index.ts';
import type { UsageLedger } from './usage-totals.ts';

/** Engine-wide limits of one session or run (see ENGINE_DEFAULTS.maxTasks). */
export interface Budgets {
  maxTasks: number;
  maxCostUsd: number;
}

export function resolveBudgets(options: { maxTasks?: number; maxCostUsd?: number }): Budgets {
  const budgets = {
    maxTasks: options.maxTasks ?? ENGINE_DEFAULTS.maxTasks,
    maxCostUsd: options.maxCostUsd ?? ENGINE_DEFAULTS.maxCostUsd,
  };
  if (!(budgets.maxTasks >= 0)) throw new RangeError(`maxTasks must be >= 0, got ${budgets.maxTasks}`);
  if (!(budgets.maxCostUsd >= 0)) throw new RangeError(`maxCostUsd must be >= 0, got ${budgets.maxCostUsd}`);
  return budgets;
}

/** Refuses a new Task when the run has started all its tasks or spent its money. */
export function checkNewTask(budgets: Budgets, ledger: UsageLedger): void {
  if (ledger.tasks >= budgets.maxTasks) {
    throw new BudgetExceededError(
      `Task refused: this run has already started its ${budgets.maxTasks} tasks (maxTasks)`,
      'Raise maxTasks if this fan-out is intended; otherwise do the remaining work in the current agent instead of delegating it.',
      { budget: 'maxTasks', limit: budgets.maxTasks, spent: ledger.tasks },
    );
  }
  checkCost(budgets, ledger, 'Task refused');
}

/** Stops before a model call once the run's cost budget is spent (a running task ends with BudgetExceeded). */
export function checkCost(
  budgets: Budgets,
  ledger: UsageLedger,
  what = 'Stopped before the next model call',
): void {
  if (ledger.knownCostUsd >= budgets.maxCostUsd) {
    throw new BudgetExceededError(
      `${what}: this run has spent $${ledger.knownCostUsd.toFixed(4)} of its $${budgets.maxCostUsd} budget (maxCostUsd)`,
      'Raise maxCostUsd, or use a cheaper model (e.g. `model: haiku` in the agent file) for the remaining work.',
      { budget: 'maxCostUsd', limit: budgets.maxCostUsd, spent: ledger.knownCostUsd },
    );
  }
}
