import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../errors/index.ts';
import { LocalBudget, reserveTask, resolveBudgets } from './budgets.ts';
import { UsageLedger } from './usage-totals.ts';

const usage = { inputTokens: 1000, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

describe('an engine’s own budget', () => {
  it('answers at once, without a promise, and counts in the engine’s usage ledger', async () => {
    const ledger = new UsageLedger();
    const budget = new LocalBudget(resolveBudgets({ maxTasks: 2, maxCostUsd: 1 }), ledger);
    expect(reserveTask(budget, ledger, 'a')).toBeUndefined();
    expect(reserveTask(budget, ledger, 'b')).toBeUndefined();
    expect(() => reserveTask(budget, ledger, 'c')).toThrow(BudgetExceededError);
    expect(ledger.snapshot().byAgentType).toMatchObject({ a: { tasks: 1 }, b: { tasks: 1 } });
    // The ledger counts model calls itself: addCost has nothing to add.
    expect(budget.addCost()).toBeUndefined();
    expect(budget.checkCost()).toBeUndefined();
    ledger.modelCall('a', 'openai:gpt-5.5', usage, 1);
    expect(() => budget.checkCost('Stopped')).toThrow(
      /^Stopped: this run has spent \$1\.0000 of its \$1 budget/,
    );
    expect(await budget.spent()).toEqual({ tasks: 2, costUsd: 1 });
  });

  it('refuses impossible limits', () => {
    expect(() => resolveBudgets({ maxTasks: -1 })).toThrow(RangeError);
    expect(() => resolveBudgets({ maxCostUsd: Number.NaN })).toThrow(RangeError);
    expect(resolveBudgets({})).toEqual({ maxTasks: Infinity, maxCostUsd: Infinity });
  });
});
