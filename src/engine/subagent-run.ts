import { generateText, isStepCount, type ModelMessage, type ToolSet } from 'ai';
import { EmptyResultError, MaxTurnsExceededError } from '../errors/index.ts';
import type { ProviderModel } from '../models/index.ts';
import {
  cachedInstructions,
  cacheProviderOptions,
  withCachedTools,
  withConversationCache,
} from './prompt-caching.ts';
import type { SystemPrompt } from './subagent-prompt.ts';
import type { FailoverRecord, ModelUsage, TaskUsage, ToolStat } from './types.ts';
import { addCallUsage, emptyUsage } from './usage-totals.ts';

/** Everything a subagent run accumulates, kept outside the loop so a failed run still reports it. */
export class RunState {
  turns = 0;
  toolUses = 0;
  /**
   * The conversation so far, without the system prompt: what a follow-up (SendMessage) continues.
   * Set when a run starts (earlier turns + its prompt) and when it ends (with the model's replies).
   */
  messages: ModelMessage[] = [];
  lastTool: string | undefined;
  modelMs = 0;
  toolMs = 0;
  readonly texts: string[] = [];
  readonly toolStats: Record<string, ToolStat> = {};
  /** Summed per model call (retried attempts that failed cost nothing and are not counted). */
  readonly usage: TaskUsage = emptyUsage();
  /** Per model that served a turn, in order of first use. */
  readonly modelsUsed = new Map<string, ModelUsage>();
  readonly failovers: FailoverRecord[] = [];
  retries = 0;

  modelCall(model: string, usage: Parameters<typeof addCallUsage>[1], costUsd: number | null): void {
    addCallUsage(this.usage, usage, costUsd);
    let used = this.modelsUsed.get(model);
    if (!used) {
      used = { model, calls: 0, ...emptyUsage() };
      this.modelsUsed.set(model, used);
    }
    used.calls++;
    addCallUsage(used, usage, costUsd);
  }

  toolStarted(name: string): void {
    this.toolUses++;
    this.lastTool = name;
    this.#stat(name).calls++;
  }

  toolEnded(name: string, durationMs: number, failed: boolean, denied = false): void {
    this.toolMs += durationMs;
    const stat = this.#stat(name);
    stat.durationMs += durationMs;
    if (failed) stat.errors++;
    if (denied) stat.denied++;
  }

  /** A call the runtime refused before any execute ran (the tool is not granted to this agent). */
  toolDenied(name: string): void {
    this.toolUses++;
    this.lastTool = name;
    const stat = this.#stat(name);
    stat.calls++;
    stat.denied++;
  }

  /** Text of the turn in progress: said by the model, its tools not done yet (lost if cancelled now). */
  turnText: string | undefined;

  partialContent(): string | undefined {
    const parts = this.turnText?.trim() ? [...this.texts, this.turnText] : this.texts;
    const text = parts.join('\n\n').trim();
    return text || undefined;
  }

  #stat(name: string): ToolStat {
    let stat = this.toolStats[name];
    if (!stat) {
      stat = { calls: 0, errors: 0, denied: 0, durationMs: 0 };
      this.toolStats[name] = stat;
    }
    return stat;
  }
}

/** The AI SDK's own telemetry, off for every call we make (see runSubagentLoop). */
export const NO_SDK_TELEMETRY = { isEnabled: false } as const;

export interface SubagentLoopParams {
  model: ProviderModel;
  system: SystemPrompt;
  prompt: string;
  /** An earlier conversation this run continues (SendMessage): the prompt is its next user message. */
  history?: readonly ModelMessage[];
  tools: ToolSet;
  maxTurns: number;
  temperature?: number;
  maxOutputTokens?: number;
  signal: AbortSignal;
  state: RunState;
  onTurn(turn: TurnSummary): void;
  /** A call the runtime refused before any execute ran (the tool is not granted to this agent). */
  onDenied(call: { callId: string; name: string; input: unknown; error: string }): void;
}

/** One finished model turn, as the transcript and the progress display see it. */
export interface TurnSummary {
  text: string;
  toolCalls: { callId: string; name: string; input: unknown }[];
  usage: { input: number; output: number };
  finishReason: string;
}

/**
 * The agent loop: model → tool calls (a turn's calls run concurrently) → results → … until a final
 * answer or `maxTurns`. The AI SDK's multi-step loop does the stepping; its own retries are off:
 * `model` comes from the ModelGateway, whose router retries, fails over and counts usage per call.
 * A turn that fails and is retried is repeated from its start, after the tool results of the turns
 * before it, so no tool runs twice. Every call asks the vendor to cache its prefix (tools, the
 * stable system prompt, the conversation so far: `prompt-caching.ts`).
 */
export async function runSubagentLoop(params: SubagentLoopParams): Promise<string> {
  const { state } = params;
  const hasTools = Object.keys(params.tools).length > 0;
  const messages: ModelMessage[] = [...(params.history ?? []), { role: 'user', content: params.prompt }];
  state.messages = messages;
  const result = await generateText({
    model: withConversationCache(params.model),
    instructions: cachedInstructions(params.system),
    ...(params.history?.length ? { messages } : { prompt: params.prompt }),
    providerOptions: cacheProviderOptions(params.system),
    ...(hasTools ? { tools: withCachedTools(params.tools) } : {}),
    stopWhen: isStepCount(params.maxTurns),
    maxRetries: 0,
    // Our own events, records and spans observe each call (model-call-events.ts); the SDK's telemetry
    // would build its lifecycle events for no one (no integration is registered).
    telemetry: NO_SDK_TELEMETRY,
    abortSignal: params.signal,
    ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
    ...(params.maxOutputTokens !== undefined ? { maxOutputTokens: params.maxOutputTokens } : {}),
    onStepEnd: (step) => {
      state.turns++;
      if (step.text.trim()) state.texts.push(step.text);
      state.turnText = undefined;
      for (const part of step.content) {
        if (part.type === 'tool-error' && !(part.toolName in params.tools)) {
          state.toolDenied(part.toolName);
          params.onDenied({
            callId: part.toolCallId,
            name: part.toolName,
            input: part.input,
            error: part.error instanceof Error ? part.error.message : String(part.error),
          });
        }
      }
      params.onTurn({
        text: step.text,
        toolCalls: step.toolCalls.map((c) => ({ callId: c.toolCallId, name: c.toolName, input: c.input })),
        usage: { input: step.usage.inputTokens ?? 0, output: step.usage.outputTokens ?? 0 },
        finishReason: step.finishReason,
      });
    },
  });
  state.messages = [...messages, ...result.responseMessages];
  if (result.finishReason === 'tool-calls') throw new MaxTurnsExceededError(params.maxTurns);
  const text = result.text.trim();
  if (!text) throw new EmptyResultError();
  return text;
}
