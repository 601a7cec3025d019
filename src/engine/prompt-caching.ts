import { type LanguageModelMiddleware, type SystemModelMessage, type ToolSet, wrapLanguageModel } from 'ai';
import type { ProviderModel } from '../models/index.ts';
import type { SystemPrompt } from './subagent-prompt.ts';

type ProviderOptions = NonNullable<SystemModelMessage['providerOptions']>;
type CallParams = Parameters<NonNullable<LanguageModelMiddleware['transformParams']>>[0]['params'];

/**
 * Anthropic caches only up to blocks marked `cache_control` (at most 4 a request); OpenAI and
 * Gemini cache every long enough prefix on their own, and read `anthropic` options as nothing.
 * Claude Code marks its system prompt and its conversation's last message the same way.
 */
const BREAKPOINT: ProviderOptions = { anthropic: { cacheControl: { type: 'ephemeral' } } };

/** The system prompt as two system blocks, the stable one ending at a cache breakpoint. */
export function cachedInstructions(prompt: SystemPrompt): SystemModelMessage[] {
  return [
    { role: 'system', content: prompt.stable, providerOptions: BREAKPOINT },
    { role: 'system', content: prompt.volatile },
  ];
}

/**
 * Call options: OpenAI's `prompt_cache_key` (Responses and Chat both read `openai`), which routes
 * the tasks of one agent to the machines that hold its prefix.
 */
export function cacheProviderOptions(prompt: SystemPrompt): ProviderOptions {
  return { openai: { promptCacheKey: prompt.cacheKey } };
}

/**
 * The tools with a breakpoint on the last one. Tools come first in Anthropic's prefix (tools, system,
 * messages), so agents granted the same tools share that part even where their prompts differ.
 */
export function withCachedTools(tools: ToolSet): ToolSet {
  const names = Object.keys(tools);
  const last = names.at(-1);
  if (last === undefined) return tools;
  const tool = tools[last]!;
  return { ...tools, [last]: { ...tool, providerOptions: withBreakpoint(tool.providerOptions) } };
}

/**
 * Marks the last message of every model call, so each turn of the loop reads the conversation so
 * far from the cache and pays full price only for what the turn before it added. On the call,
 * not in the conversation: marks left on earlier messages would pass Anthropic's limit of 4.
 */
export function withConversationCache(model: ProviderModel): ProviderModel {
  return wrapLanguageModel({
    model,
    middleware: { transformParams: async ({ params }) => markLastMessage(params) },
  });
}

function markLastMessage(params: CallParams): CallParams {
  const prompt = params.prompt;
  const last = prompt.at(-1);
  if (!last || last.role === 'system') return params;
  return {
    ...params,
    prompt: [...prompt.slice(0, -1), { ...last, providerOptions: withBreakpoint(last.providerOptions) }],
  };
}

function withBreakpoint(options: ProviderOptions | undefined): ProviderOptions {
  return { ...options, anthropic: { ...options?.anthropic, ...BREAKPOINT.anthropic } };
}
