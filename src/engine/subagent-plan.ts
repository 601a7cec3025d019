import {
  type AgentDefinition,
  type AgentRegistry,
  DEFAULT_AGENT_TYPE,
  effectiveTools,
} from '../agents/index.ts';
import type { ModelRoutingSettings } from '../config/defaults/model-routing.ts';
import { SpawnDepthExceededError } from '../errors/index.ts';
import { type ProviderConfig, type ResolvedModel, resolveModel } from '../models/index.ts';
import { BUILTIN_TOOLS, type ToolSpec } from '../tools/index.ts';
import { allowsFailover } from './engine-options.ts';
import type { EngineLimits } from './engine-services.ts';
import { routeModel, routingSettings } from './model-routing.ts';
import {
  buildSystemPrompt,
  type ProjectInstructions,
  type SystemPrompt,
  systemText,
} from './subagent-prompt.ts';
import type { InheritedLimits, TaskInput } from './types.ts';

const TOOLS_BY_NAME = new Map(BUILTIN_TOOLS.map((t) => [t.name, t]));
/** Every tool name an agent can be granted: the built-ins plus Task (and its alias Agent). */
export const GRANTABLE_TOOLS: readonly string[] = [...TOOLS_BY_NAME.keys(), 'Task'];

/** What a task runs as, decided before it waits for a slot: its agent, its model and its limits. */
export interface TaskPlan {
  agent: AgentDefinition;
  /** The model the task runs on; replaced once if a `model: auto` run escalates (model-escalation.ts). */
  resolved: ResolvedModel;
  /** `model: auto` with escalation on: a failed run is re-run once on the next tier. */
  escalate: boolean;
  timeoutMs: number;
  maxTurns: number;
  /** False when the agent pins its model (`failover: false`): never substituted. */
  failover: boolean;
  temperature?: number;
  maxOutputTokens?: number;
}

/**
 * Plans a task from its parsed input: which agent (the registry of its working directory), which
 * model (env > call > agent > caller; `auto` picked by the routing rules, docs/model-routing.md)
 * and which limits (agent file > engine). Throws the typed error that refuses the task (unknown
 * agent, no provider for the model, nesting too deep).
 */
export function planTask(p: {
  input: TaskInput;
  registry: AgentRegistry;
  providers: readonly ProviderConfig[];
  env: Record<string, string | undefined> | undefined;
  limits: EngineLimits;
  callerModel: string | undefined;
  spawnDepth: number;
  /** `modelRouting` as the engine was given it; the defaults fill the rest. */
  routing?: Partial<ModelRoutingSettings> | undefined;
}): TaskPlan {
  if (p.spawnDepth > p.limits.maxSpawnDepth) throw new SpawnDepthExceededError(p.limits.maxSpawnDepth);
  const agent = p.registry.get(p.input.subagent_type ?? DEFAULT_AGENT_TYPE);
  const routing = routingSettings(p.routing);
  const resolved = resolveModel(
    {
      ...(p.env ? { env: p.env } : {}),
      ...(p.input.model ? { callModel: p.input.model } : {}),
      ...(agent.model ? { agentModel: agent.model } : {}),
      callerModel: p.callerModel ?? p.limits.callerModel,
    },
    p.providers,
    () =>
      routeModel(
        {
          agent: agent.name,
          agentDescription: agent.description,
          // MCP tools are known only once fetched: those the agent lists count as named.
          tools: [
            ...effectiveTools(agent, GRANTABLE_TOOLS),
            ...(agent.tools ?? []).filter((tool) => tool.startsWith('mcp__')),
          ],
          description: p.input.description,
          prompt: p.input.prompt,
        },
        routing,
      ),
  );
  return {
    agent,
    resolved,
    escalate: resolved.routing !== undefined && routing.escalation,
    timeoutMs: agent.timeoutMs ?? p.limits.taskTimeoutMs,
    maxTurns: agent.maxTurns ?? p.limits.maxTurns,
    failover: allowsFailover(agent),
    ...(agent.temperature !== undefined ? { temperature: agent.temperature } : {}),
    ...(agent.maxTokens !== undefined ? { maxOutputTokens: agent.maxTokens } : {}),
  };
}

/** The tools a subagent is offered and the prompt it runs under, once its extra tools are known. */
export interface SubagentPlan {
  /** Every tool name the model is offered, in the agent's order. */
  granted: string[];
  /** Built-in tools among them. */
  builtins: ToolSpec[];
  /** Tools from the tool provider (MCP servers) among them. */
  provided: string[];
  /** Whether the Task tool is offered (granted, and nesting not at its limit). */
  nestedTask: boolean;
  /** What the subagent's own children inherit as denied: its ancestors' and its own `disallowedTools`. */
  disallowedTools: string[];
  /** The system prompt in its cached (stable) and per-task (volatile) parts, and its OpenAI cache key. */
  systemPrompt: SystemPrompt;
  /** The same prompt as one text. */
  system: string;
}

/**
 * Plans what one subagent gets. Pure: the same agent, inheritance, extra tools and instructions
 * give the same plan, so it is tested without a model server.
 */
export function planSubagent(p: {
  task: TaskPlan;
  cwd: string;
  spawnDepth: number;
  maxSpawnDepth: number;
  inherited: InheritedLimits | undefined;
  providedTools: readonly string[];
  instructions: ProjectInstructions | undefined;
  now?: Date;
}): SubagentPlan {
  const { agent } = p.task;
  // What an ancestor was denied stays denied: delegating to another agent does not bring it back.
  const disallowedTools = [...(p.inherited?.disallowedTools ?? []), ...agent.disallowedTools];
  const granted = effectiveTools(p.inherited ? { ...agent, disallowedTools } : agent, [
    ...GRANTABLE_TOOLS,
    ...p.providedTools,
  ]);
  const provided = new Set(p.providedTools);
  const systemPrompt = buildSystemPrompt({
    agent,
    cwd: p.cwd,
    model: p.task.resolved.spec,
    instructions: p.instructions,
    ...(p.now ? { now: p.now } : {}),
  });
  return {
    granted,
    builtins: granted.flatMap((name) => TOOLS_BY_NAME.get(name) ?? []),
    provided: granted.filter((name) => provided.has(name)),
    nestedTask: granted.includes('Task') && p.spawnDepth < p.maxSpawnDepth,
    disallowedTools,
    systemPrompt,
    system: systemText(systemPrompt),
  };
}
