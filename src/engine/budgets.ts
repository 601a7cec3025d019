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

/** What a budget has counted so far. */
export interface BudgetSpent {
  tasks: number;
  costUsd: number;
}

/**
 * Where a run's tasks and cost are counted against its budgets. The engine's own (LocalBudget)
 * answers synchronously, so a task refused over budget is refused before `start()` returns, at no
 * cost; a shared one (several workers, one run: `queue/shared-budget.ts`) answers with a promise.
 * A method returns `undefined` when it has finished synchronously; it throws or rejects with
 * BudgetExceededError when the budget is spent.
 */
export interface BudgetLedger {
  readonly budgets: Budgets;
  /** Counts one more task, atomically with the check (two workers cannot both take the last one). */
  reserveTask(): Promise<void> | undefined;
  /** Refuses a model call once the cost budget is spent (a running task then ends with BudgetExceeded). */
  checkCost(what?: string): Promise<void> | undefined;
  /** Adds what a model call cost (known prices only). */
  addCost(costUsd: number): Promise<void> | undefined;
  spent(): Promise<BudgetSpent>;
}

/** One engine's budget, counted in its own usage ledger: the default, with no I/O. */
export class LocalBudget implements BudgetLedger {
  readonly budgets: Budgets;
  readonly #usage: UsageLedger;

  constructor(budgets: Budgets, usage: UsageLedger) {
    this.budgets = budgets;
    this.#usage = usage;
  }

  reserveTask(): undefined {
    checkNewTask(this.budgets, { tasks: this.#usage.tasks, costUsd: this.#usage.knownCostUsd });
    return undefined;
  }

  checkCost(what?: string): undefined {
    checkCost(this.budgets, this.#usage.knownCostUsd, what);
    return undefined;
  }

  /** The usage ledger has counted it already (UsageLedger.modelCall). */
  addCost(): undefined {
    return undefined;
  }

  spent(): Promise<BudgetSpent> {
    return Promise.resolve({ tasks: this.#usage.tasks, costUsd: this.#usage.knownCostUsd });
  }
}

/**
 * A task's own budget (TaskOptions.budget: a queued job's, its client's) within the engine's: both
 * hold, the smaller limit wins. On a queue worker the job says what its client may spend, and the
 * worker's own `maxTasks`/`maxCostUsd` still cap what the worker's keys pay for, whatever a job says.
 */
export function withinBudget(own: BudgetLedger, engine: BudgetLedger): BudgetLedger {
  const both = (a: Promise<void> | undefined, b: () => Promise<void> | undefined) => {
    const second = b();
    return a || second ? Promise.all([a, second]).then(() => {}) : undefined;
  };
  return {
    budgets: {
      maxTasks: Math.min(own.budgets.maxTasks, engine.budgets.maxTasks),
      maxCostUsd: Math.min(own.budgets.maxCostUsd, engine.budgets.maxCostUsd),
    },
    // The engine's first: it answers at once, and a task it refuses takes nothing from the other.
    reserveTask: () => both(engine.reserveTask(), () => own.reserveTask()),
    checkCost: (what) => both(engine.checkCost(what), () => own.checkCost(what)),
    addCost: (costUsd) => both(engine.addCost(costUsd), () => own.addCost(costUsd)),
    spent: () => own.spent(),
  };
}

/**
 * Counts a new task against `budget` and, once it is admitted, in the engine's usage. `undefined`
 * when that is done (a local budget); else a promise the caller must await before running the task.
 */
export function reserveTask(
  budget: BudgetLedger,
  usage: UsageLedger,
  agentType: string,
): Promise<void> | undefined {
  const reserved = budget.reserveTask();
  if (!reserved) {
    usage.taskStarted(agentType);
    return undefined;
  }
  return reserved.then(() => usage.taskStarted(agentType));
}

/** Refuses a new Task when the run has started all its tasks or spent its money. */
export function checkNewTask(budgets: Budgets, spent: BudgetSpent): void {
  if (spent.tasks >= budgets.maxTasks) {
    throw new BudgetExceededError(
      `Task refused: this run has already started its ${budgets.maxTasks} tasks (maxTasks)`,
      'Raise maxTasks if this fan-out is intended; otherwise do the remaining work in the current agent instead of delegating it.',
      { budget: 'maxTasks', limit: budgets.maxTasks, spent: spent.tasks },
    );
  }
  checkCost(budgets, spent.costUsd, 'Task refused');
}

/** Stops before a model call once the run's cost budget is spent (a running task ends with BudgetExceeded). */
export function checkCost(
  budgets: Budgets,
  spentUsd: number,
  what = 'Stopped before the next model call',
): void {
  if (spentUsd >= budgets.maxCostUsd) {
    throw new BudgetExceededError(
      `${what}: this run has spent $${spentUsd.toFixed(4)} of its $${budgets.maxCostUsd} budget (maxCostUsd)`,
      'Raise maxCostUsd, or use a cheaper model (e.g. `model: haiku` in the agent file) for the remaining work.',
      { budget: 'maxCostUsd', limit: budgets.maxCostUsd, spent: spentUsd },
    );
  }
}
