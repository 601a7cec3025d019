import { generateText } from 'ai';
import { ToolExecutionError } from '../errors/index.ts';
import {
  type GatewayObserver,
  type ModelGateway,
  type ProviderConfig,
  providerSearchTool,
  type ResolvedModel,
  resolveSpec,
} from '../models/index.ts';
import {
  type ToolModelHooks,
  type WebSearchResult,
  webFetchPromptMessage,
  webSearchPromptMessage,
} from '../tools/index.ts';
import { NO_SDK_TELEMETRY } from './subagent-run.ts';

/** See WEB_TOOL_DEFAULTS (config/defaults/tools.ts). */
export interface WebToolSettings {
  applyPrompt: boolean;
  fetchModel: string;
  searchMaxUses: number;
}

export interface ToolModelHooksParams {
  gateway: ModelGateway;
  providers: readonly ProviderConfig[];
  /** The subagent's model: WebSearch runs on it, WebFetch's fast model is taken from its provider. */
  resolved: ResolvedModel;
  failover: boolean;
  /** The task's observer: these calls' tokens and cost are the task's. */
  observer: GatewayObserver;
  settings: WebToolSettings;
}

/**
 * The model calls WebFetch and WebSearch make for a subagent, through the same gateway as its turns
 * (retries, circuit breakers, rate limits, usage and cost). Their time is the tool's, not a turn's.
 */
export function createToolModelHooks(p: ToolModelHooksParams): ToolModelHooks {
  const { gateway, settings } = p;
  const observer: GatewayObserver = { ...p.observer, onCallEnd: undefined };
  const hooks: ToolModelHooks = {
    webSearch: async (request, signal): Promise<WebSearchResult> => {
      const search = providerSearchTool(p.resolved.provider, {
        maxUses: settings.searchMaxUses,
        ...(request.allowedDomains ? { allowedDomains: request.allowedDomains } : {}),
        ...(request.blockedDomains ? { blockedDomains: request.blockedDomains } : {}),
      });
      if ('unsupported' in search) {
        throw new ToolExecutionError(`WebSearch is not available: ${search.unsupported}.`, search.hint);
      }
      // The search tool is the vendor's: never fail over to another vendor that would not know it.
      const route = gateway.route(p.resolved, { failover: false });
      const result = await generateText({
        model: gateway.languageModel(route, observer),
        prompt: webSearchPromptMessage(request.query),
        tools: { [search.name]: search.tool },
        maxRetries: 0,
        abortSignal: signal,
        telemetry: NO_SDK_TELEMETRY,
      });
      const failed = result.content.find((part) => part.type === 'tool-error');
      if (failed && result.sources.length === 0) {
        throw new ToolExecutionError(
          `The ${p.resolved.provider.id} web search failed: ${describe(failed.error)}`,
          'Try again, or with a different query.',
        );
      }
      return {
        text: result.text,
        sources: result.sources.flatMap((source) =>
          source.sourceType === 'url'
            ? [{ url: source.url, ...(source.title ? { title: source.title } : {}) }]
            : [],
        ),
      };
    },
  };
  if (settings.applyPrompt) {
    let fast: ResolvedModel | undefined;
    hooks.summarize = async (content, prompt, signal) => {
      fast ??= fastModel(p.resolved, p.providers, settings.fetchModel);
      const result = await generateText({
        model: gateway.languageModel(gateway.route(fast, { failover: p.failover }), observer),
        prompt: webFetchPromptMessage(content, prompt),
        maxRetries: 0,
        abortSignal: signal,
        telemetry: NO_SDK_TELEMETRY,
      });
      return result.text;
    };
  }
  return hooks;
}

/**
 * An alias (`haiku`) means that tier on the subagent's own provider, so the fast model is of the
 * same vendor and key; a provider with no model for it (an OpenAI-compatible server without tiers)
 * falls back to the subagent's model. `provider:model` is taken as it is.
 */
export function fastModel(
  resolved: ResolvedModel,
  providers: readonly ProviderConfig[],
  spec: string,
): ResolvedModel {
  const explicit = spec.includes(':');
  try {
    const { provider, modelId } = resolveSpec(explicit ? spec : `${resolved.provider.id}:${spec}`, providers);
    return { provider, modelId, spec: `${provider.id}:${modelId}`, requested: spec, source: 'call' };
  } catch (error) {
    if (explicit) throw error;
    return resolved;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
