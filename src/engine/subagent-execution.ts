import type { Tool } from 'ai';
import { subagentTypeRules } from '../agents/index.ts';
import type { ToolContext } from '../tools/index.ts';
import { agentPolicy } from '../tools/policy/index.ts';
import { BackgroundChildren } from './background-children.ts';
import type { BudgetLedger } from './budgets.ts';
import type { EngineServices } from './engine-services.ts';
import { taskModelObserver } from './model-call-events.ts';
import { runEscalating } from './model-escalation.ts';
import { createNestedTaskTool, createSendMessageTool, type NestedRunner } from './nested-task-tool.ts';
import { formatTaskNotification } from './result-text.ts';
import type { SlotLease } from './slot-lease.ts';
import { applyPermissions } from './subagent-permissions.ts';
import { planSubagent, type TaskPlan } from './subagent-plan.ts';
import { type RunState, runSubagentLoop } from './subagent-run.ts';
import { buildToolSet, providedTool, type ToolCallHooks } from './subagent-tools.ts';
import type { TaskEventSink } from './task-events.ts';
import { createToolModelHooks } from './tool-model-hooks.ts';
import type {
  InheritedLimits,
  ProvidedToolSpec,
  TaskEventBase,
  TaskHandle,
  TaskInput,
  TaskOptions,
  TaskResult,
  Transcript,
} from './types.ts';
import { hidingCheckoutSecrets } from './worktree-isolation.ts';

export interface SubagentRun {
  services: EngineServices;
  input: TaskInput;
  plan: TaskPlan;
  cwd: string;
  spawnDepth: number;
  taskId: string;
  state: RunState;
  signal: AbortSignal;
  lease: SlotLease;
  base: TaskEventBase;
  events: TaskEventSink;
  inherited: InheritedLimits | undefined;
  /** What this task and its nested tasks count against (TaskOptions.budget). */
  budget: BudgetLedger;
  /** Tells the dispatch chain this task's first request is on its way (the next task may set up). */
  sent: () => void;
  /** An earlier conversation this run continues (SendMessage). */
  history?: Transcript['messages'];
  /**
   * For a run in a worktree (its own, or an ancestor's): the checkouts the worktrees were made
   * from, whose secrets stay hidden from its sandbox (worktree-isolation.ts).
   */
  checkouts?: readonly string[];
  /** Starts a nested task through the same engine (the Task tool of a subagent that may delegate). */
  startChild: (input: TaskInput, options: TaskOptions) => TaskHandle;
  /** Continues an earlier task through the same engine (SendMessage). */
  sendMessage: (to: string, message: string, options: TaskOptions & { summary?: string }) => TaskHandle;
}

/**
 * Runs one admitted subagent to its final text: its extra tools (MCP) fetched and released, the
 * plan made, the permission policy put in force, tools wired to events, and the model loop run —
 * once more on the next tier when a `model: auto` run fails (model-escalation.ts), which updates
 * `plan.resolved`.
 */
export async function executeSubagent(run: SubagentRun): Promise<string> {
  const { services, plan, cwd, signal } = run;
  const provided = await services.toolProvider?.toolsFor(plan.agent, cwd, signal);
  try {
    return await runEscalating({
      plan,
      providers: services.providers,
      signal,
      state: run.state,
      checkBudget: () => run.budget.checkCost(),
      attempt: () => runSubagent(run, provided?.tools ?? {}),
    });
  } finally {
    await provided?.release();
  }
}

async function runSubagent(run: SubagentRun, provided: Record<string, ProvidedToolSpec>): Promise<string> {
  const { services, plan, cwd, state, signal, base, events } = run;
  const { agent, resolved } = plan;
  const subagent = planSubagent({
    task: plan,
    cwd,
    spawnDepth: run.spawnDepth,
    maxSpawnDepth: services.limits.maxSpawnDepth,
    inherited: run.inherited,
    providedTools: Object.keys(provided),
    instructions: services.instructions.read(cwd),
  });
  // `turn` is the turn in progress (1-based) when a tool starts, the one just finished at a turn's end.
  const progress = (turn: number) =>
    events.emit('task.progress', {
      ...base,
      turn,
      ...(state.lastTool ? { lastTool: state.lastTool } : {}),
      toolUses: state.toolUses,
      tokens: { input: state.usage.inputTokens, output: state.usage.outputTokens },
    });
  const workspaceRoot = services.workspaceRoot(cwd);
  const applied = applyPermissions({
    policy: services.permissionPolicy(cwd),
    agent,
    workspaceRoot,
    warned: services.warned,
    events,
    base,
    floor: run.inherited?.mode,
  });
  const hooks: ToolCallHooks = {
    guard: (call) => applied.check(call.name, call.input),
    onStart: (call) => {
      state.toolStarted(call.name);
      const turn = state.turns + 1;
      events.emit('task.tool', { ...base, phase: 'started', turn, ...call });
      progress(turn);
    },
    onEnd: (call, outcome) => {
      if (outcome.refused) state.toolDenied(call.name);
      else state.toolEnded(call.name, outcome.durationMs, outcome.error !== undefined, outcome.denied);
      events.emit('task.tool', { ...base, phase: 'finished', turn: state.turns + 1, ...call, ...outcome });
    },
  };
  const extra: Record<string, Tool> = {};
  const children = new BackgroundChildren(signal);
  if (subagent.nestedTask) {
    const childOptions = (callId: string): TaskOptions => ({
      cwd,
      callerModel: resolved.spec,
      parentTaskId: run.taskId,
      parentCallId: callId,
      spawnDepth: run.spawnDepth + 1,
      priority: run.lease.priority,
      budget: run.budget,
      inherited: {
        mode: applied.mode,
        disallowedTools: subagent.disallowedTools,
        ...(run.checkouts ? { checkouts: run.checkouts } : {}),
      },
    });
    // While this subagent waits on a child it lends the child its slot (SlotLease).
    const waitingOn = async (start: () => TaskHandle): Promise<TaskResult> => {
      run.lease.childStarted();
      try {
        return await start().result;
      } finally {
        await run.lease.childEnded(signal);
      }
    };
    const runner: NestedRunner = {
      run: (child, childSignal, callId) =>
        waitingOn(() => run.startChild(child, { ...childOptions(callId), signal: childSignal ?? signal })),
      launch: (child, callId) => children.add(run.startChild(child, childOptions(callId)), callId),
      continue: (to, message, summary, childSignal, callId) =>
        waitingOn(() =>
          run.sendMessage(to, message, {
            ...childOptions(callId),
            signal: childSignal ?? signal,
            ...(summary ? { summary } : {}),
          }),
        ),
    };
    extra.Task = createNestedTaskTool({
      agents: () => services.agents(cwd).list(),
      rules: subagentTypeRules(agent),
      hooks,
      runner,
    });
    extra.SendMessage = createSendMessageTool({ hooks, runner });
  }
  for (const name of subagent.provided) {
    const spec = provided[name];
    if (spec) extra[name] = providedTool(name, spec, hooks, signal);
  }
  const observer = taskModelObserver({
    state,
    base,
    events,
    ledger: services.ledger,
    budget: run.budget,
    onAttempt: run.sent,
  });
  const ctx: ToolContext = {
    workspaceRoot,
    signal,
    state: new Map<string, unknown>(),
    limits: services.toolLimits,
    permissions: run.checkouts
      ? hidingCheckoutSecrets(
          applied.permissions,
          run.checkouts.map(
            (dir) =>
              agentPolicy(services.permissionPolicy(dir), agent, services.workspaceRoot(dir)).permissions,
          ),
        )
      : applied.permissions,
    policyCheck: (name, input) => applied.check(name, input),
    ...createToolModelHooks({
      gateway: services.gateway,
      providers: services.providers,
      resolved,
      failover: plan.failover,
      observer,
      settings: services.webTools,
    }),
    sandbox: services.sandbox,
  };
  const route = services.gateway.route(resolved, { failover: plan.failover });
  const loop = (prompt: string, history: Transcript['messages'] | undefined) =>
    runSubagentLoop({
      model: services.gateway.languageModel(route, observer),
      system: subagent.systemPrompt,
      prompt,
      ...(history ? { history } : {}),
      tools: buildToolSet(subagent.builtins, ctx, hooks, extra),
      maxTurns: plan.maxTurns - state.turns,
      ...(plan.temperature !== undefined ? { temperature: plan.temperature } : {}),
      ...(plan.maxOutputTokens !== undefined ? { maxOutputTokens: plan.maxOutputTokens } : {}),
      signal,
      state,
      onTurn: (turn) => {
        events.emit('task.turn', { ...base, turn: state.turns, ...turn });
        progress(state.turns);
      },
      onDenied: (call) =>
        events.emit('task.tool', { ...base, phase: 'finished', turn: state.turns, ...call, denied: true }),
    });
  let text = await loop(run.input.prompt, run.history);
  // Background children still owe their results: as in Claude Code, each finished one comes back as
  // a <task-notification> user message and the subagent gets another turn, until none is left.
  while (children.pending) {
    const finished = await children.next(run.lease);
    const notes = finished.map(({ result, callId }) => formatTaskNotification(result, callId));
    if (plan.maxTurns - state.turns <= 0) break;
    text = await loop(notes.join('\n\n'), state.messages);
  }
  return text;
}
