import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import {
  type BudgetLedger,
  type BudgetSpent,
  type Budgets,
  checkCost,
  checkNewTask,
} from '../engine/index.ts';
import { bounded, type SharedRedis, sharedKey } from './shared-redis.ts';

/**
 * A run's budget as a queued job carries it: the scope that owns it (the client session or run that
 * enqueued the task) and its limits. JSON has no Infinity: `null` is "no limit".
 */
export const SharedBudgetSpecSchema = z
  .object({
    scope: z.string().min(1).max(200),
    maxTasks: z.number().int().nonnegative().nullable(),
    maxCostUsd: z.number().nonnegative().nullable(),
  })
  .strict();
export type SharedBudgetSpec = z.infer<typeof SharedBudgetSpecSchema>;

/** A new scope: one per client session or run (a `batch`, a `serve` or `mcp` process, a library runtime). */
export function newBudgetScope(): string {
  return randomUUID();
}

/** The spec a client puts in each job it enqueues, from its resolved budgets. */
export function sharedBudgetSpec(scope: string, budgets: Budgets): SharedBudgetSpec {
  return {
    scope,
    maxTasks: Number.isFinite(budgets.maxTasks) ? budgets.maxTasks : null,
    maxCostUsd: Number.isFinite(budgets.maxCostUsd) ? budgets.maxCostUsd : null,
  };
}

/** A scope's counters outlive its last write by this much, then Redis drops them (noeviction never would). */
export const BUDGET_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Takes one task if the scope has one left, in one step: two workers cannot both take the last. The
 * counters are returned as Redis stores them (strings), so a float cost is never rounded by Lua.
 */
const RESERVE = `
local tasks = redis.call('HGET', KEYS[1], 'tasks') or '0'
local cost = redis.call('HGET', KEYS[1], 'costUsd') or '0'
local maxTasks = tonumber(ARGV[1])
local maxCost = tonumber(ARGV[2])
if maxTasks >= 0 and tonumber(tasks) >= maxTasks then return {'maxTasks', tasks, cost} end
if maxCost >= 0 and tonumber(cost) >= maxCost then return {'maxCostUsd', tasks, cost} end
tasks = redis.call('HINCRBY', KEYS[1], 'tasks', 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {'ok', tostring(tasks), cost}
`;

type ReserveReply = [verdict: string, tasks: string, costUsd: string];

const scripted = new WeakSet<Redis>();

function reserveScript(redis: Redis): (key: string, ...args: string[]) => Promise<ReserveReply> {
  if (!scripted.has(redis)) {
    redis.defineCommand('codexTaskReserveTask', { numberOfKeys: 1, lua: RESERVE });
    scripted.add(redis);
  }
  return (
    redis as unknown as Record<string, (key: string, ...args: string[]) => Promise<ReserveReply>>
  ).codexTaskReserveTask!.bind(redis);
}

/**
 * A run's `maxTasks` and `maxCostUsd` held across every worker that runs its tasks: counters in one
 * Redis hash per scope (`<prefix>:budget:<scope>`), a task taken by a Lua script (atomic), cost
 * added with HINCRBYFLOAT. The limits travel with each job, so a worker needs nothing but the
 * spec. Make one per job and pass it as the root task's `TaskOptions.budget`; nested tasks inherit
 * it, so they count against the same scope. A Redis that does not answer within `timeoutMs` is a
 * QueueUnavailableError: the task fails rather than running unbudgeted.
 */
export class SharedBudget implements BudgetLedger {
  readonly budgets: Budgets;
  readonly spec: SharedBudgetSpec;
  readonly #redis: SharedRedis;
  readonly #key: string;
  readonly #ttl: string;
  /** Cost adds in flight: the next check waits for them, so a worker sees at least its own spending. */
  #adding: Promise<void> = Promise.resolve();
  #addFailed: unknown;

  constructor(options: SharedRedis & { spec: SharedBudgetSpec; ttlSeconds?: number }) {
    this.spec = SharedBudgetSpecSchema.parse(options.spec);
    this.budgets = {
      maxTasks: this.spec.maxTasks ?? Number.POSITIVE_INFINITY,
      maxCostUsd: this.spec.maxCostUsd ?? Number.POSITIVE_INFINITY,
    };
    this.#redis = options;
    this.#key = sharedKey(options, 'budget', this.spec.scope);
    this.#ttl = String(options.ttlSeconds ?? BUDGET_TTL_SECONDS);
  }

  reserveTask(): Promise<void> {
    const reserve = reserveScript(this.#redis.redis);
    const reserved = bounded(this.#redis, 'taking a task from the shared budget', () =>
      reserve(this.#key, String(this.spec.maxTasks ?? -1), String(this.spec.maxCostUsd ?? -1), this.#ttl),
    ).then(([verdict, tasks, costUsd]) => {
      if (verdict !== 'ok') checkNewTask(this.budgets, { tasks: Number(tasks), costUsd: Number(costUsd) });
    });
    // No limit, nothing to refuse: the task is counted but does not wait for it (a round trip off
    // every task's start, the default configuration's). A count that never lands limits nothing.
    if (this.spec.maxTasks === null && this.spec.maxCostUsd === null) {
      reserved.catch(() => {});
      return Promise.resolve();
    }
    return reserved;
  }

  /** No limit, no round trip: the check costs nothing when the run has no cost budget. */
  checkCost(what?: string): Promise<void> | undefined {
    if (this.spec.maxCostUsd === null) return undefined;
    return this.spent().then((spent) => checkCost(this.budgets, spent.costUsd, what));
  }

  /** Never rejects: a failed add is reported by the next check (or `spent`). */
  addCost(costUsd: number): Promise<void> {
    if (!(costUsd > 0)) return this.#adding;
    const added = bounded(this.#redis, 'adding to the shared budget', () =>
      this.#redis.redis
        .multi()
        .hincrbyfloat(this.#key, 'costUsd', costUsd)
        .expire(this.#key, this.#ttl)
        .exec(),
    ).then(
      () => {},
      (error: unknown) => {
        this.#addFailed ??= error;
      },
    );
    this.#adding = Promise.all([this.#adding, added]).then(() => {});
    return this.#adding;
  }

  async spent(): Promise<BudgetSpent> {
    await this.#adding;
    if (this.#addFailed) throw this.#addFailed;
    const [tasks, costUsd] = await bounded(this.#redis, 'reading the shared budget', () =>
      this.#redis.redis.hmget(this.#key, 'tasks', 'costUsd'),
    );
    return { tasks: Number(tasks ?? 0), costUsd: Number(costUsd ?? 0) };
  }
}
