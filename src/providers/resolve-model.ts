import { SUBAGENT_MODEL_ENV } from '../config/defaults/index.ts';
import type { RoutingTier } from '../config/defaults/model-routing.ts';
import { ModelConfigError } from '../errors/index.ts';
import { ALIAS_TABLE, vendorOfModelId } from './aliases.ts';
import { MODEL_ALIASES, type ModelAlias, type ProviderConfig, type ProviderKind } from './provider-config.ts';

export interface ResolvedModel {
  provider: ProviderConfig;
  modelId: string;
  /** `provider:model`, what `resolvedModel` reports. */
  spec: string;
  /** What was asked for before resolution (`sonnet`, `inherit`→caller's, a full id…). */
  requested: string;
  /** Which level of the precedence chain decided. */
  source: 'env' | 'call' | 'agent' | 'caller';
  /** How the tier was picked, when the level that decided said `auto`. */
  routing?: ModelRouting;
}

/** `model: auto`: codex-task picks the tier per task (docs/model-routing.md). */
export const AUTO_MODEL = 'auto';

/** Which tier `auto` ran on and why (`TaskResult.routing`). */
export interface ModelRouting {
  requested: typeof AUTO_MODEL;
  /** The tier that ran last: the one picked, or the one a failed run escalated to. */
  chosen: RoutingTier;
  /** The rule that picked the tier, and the facts it matched. */
  reason: string;
  /** The tier whose run failed, when the task was re-run on `chosen`. */
  escalatedFrom?: RoutingTier;
  escalationReason?: string;
}

/** Picks the tier for `auto` (engine/model-routing.ts), from what is known of the task. */
export type ModelRouter = () => { tier: RoutingTier; reason: string };

export interface ModelChoice {
  env?: Record<string, string | undefined>;
  /** Per-call `model` of the Task input. */
  callModel?: string;
  /** Frontmatter `model`; `inherit` or absent = the caller's model. */
  agentModel?: string;
  /** The parent's model (proxy: the Codex request's model; library/CLI: the configured default). */
  callerModel: string;
}

const KEY_ENV: Record<ProviderKind, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  google: 'GEMINI_API_KEY (or GOOGLE_GENERATIVE_AI_API_KEY)',
  'openai-compatible': 'OPENAI_COMPATIBLE_BASE_URL',
};

const NO_PROVIDER_HINT =
  'Set ANTHROPIC_API_KEY, OPENAI_API_KEY, GEMINI_API_KEY or OPENAI_COMPATIBLE_BASE_URL (or run `codex-task demo` to try it offline on the scripted model).';

/** Model precedence (DESIGN.md): env override → per-call model → frontmatter model → caller's model. */
export function chooseModel(choice: ModelChoice): { requested: string; source: ResolvedModel['source'] } {
  const env = choice.env ?? process.env;
  for (const name of SUBAGENT_MODEL_ENV) {
    const value = env[name]?.trim();
    if (value) return { requested: value, source: 'env' };
  }
  if (choice.callModel && choice.callModel !== 'inherit')
    return { requested: choice.callModel, source: 'call' };
  if (choice.agentModel && choice.agentModel !== 'inherit')
    return { requested: choice.agentModel, source: 'agent' };
  return { requested: choice.callerModel, source: 'caller' };
}

/**
 * The model of a task. When the level that decides says `auto`, `route` picks the tier (an alias,
 * on the first provider as every alias is); without one, `auto` cannot be resolved.
 */
export function resolveModel(
  choice: ModelChoice,
  providers: readonly ProviderConfig[],
  route?: ModelRouter,
): ResolvedModel {
  const { requested, source } = chooseModel(choice);
  if (requested !== AUTO_MODEL) {
    const { provider, modelId } = resolveSpec(requested, providers);
    return { provider, modelId, spec: `${provider.id}:${modelId}`, requested, source };
  }
  if (!route)
    throw new ModelConfigError(
      "Model 'auto' is picked per task, when the engine plans it",
      'Name a model here (an alias such as sonnet, or a full id); `auto` applies to agent files and Task calls.',
      { model: AUTO_MODEL },
    );
  const { tier, reason } = route();
  const { provider, modelId } = resolveSpec(tier, providers);
  return {
    provider,
    modelId,
    spec: `${provider.id}:${modelId}`,
    requested,
    source,
    routing: { requested: AUTO_MODEL, chosen: tier, reason },
  };
}

function isAlias(name: string): name is ModelAlias {
  return (MODEL_ALIASES as readonly string[]).includes(name);
}

/** Resolves `alias`, `provider:model` or a bare model id to one configured provider and model id. */
export function resolveSpec(
  spec: string,
  providers: readonly ProviderConfig[],
): { provider: ProviderConfig; modelId: string } {
  if (providers.length === 0)
    throw new ModelConfigError(`No model provider is configured for '${spec}'`, NO_PROVIDER_HINT, {
      model: spec,
    });
  const colon = spec.indexOf(':');
  if (colon > 0) {
    const prefix = spec.slice(0, colon);
    const rest = spec.slice(colon + 1);
    const named = providers.find((p) => p.id === prefix);
    if (named) return { provider: named, modelId: isAlias(rest) ? tierModel(named, rest) : rest };
    const kind = prefix as ProviderKind;
    if (kind in KEY_ENV) {
      throw new ModelConfigError(
        `Model '${spec}' needs the ${prefix} provider, which is not configured`,
        `Set ${KEY_ENV[kind]}, or pick a model of a configured provider (${providers.map((p) => p.id).join(', ')}).`,
        { model: spec, provider: prefix },
      );
    }
    // Otherwise the colon belongs to the model id (e.g. Ollama's `llama3:8b`).
  }
  if (isAlias(spec)) {
    const provider = providers[0]!;
    return { provider, modelId: tierModel(provider, spec) };
  }
  const vendor = vendorOfModelId(spec);
  if (vendor) {
    const provider = providers.find((p) => p.kind === vendor);
    if (provider) return { provider, modelId: spec };
    // An OpenAI-compatible gateway (OpenRouter, LiteLLM…) may serve any vendor's ids.
    const gateway = providers.find((p) => p.kind === 'openai-compatible');
    if (gateway) return { provider: gateway, modelId: spec };
    throw new ModelConfigError(
      `Model '${spec}' is a ${vendor} model, but the ${vendor} provider is not configured`,
      `Set ${KEY_ENV[vendor]}, or use an alias (sonnet, opus, haiku) that maps to a configured provider.`,
      { model: spec, provider: vendor },
    );
  }
  // Unknown ids go to the default provider as they are (validation warns about them).
  return { provider: providers[0]!, modelId: spec };
}

function tierModel(provider: ProviderConfig, alias: ModelAlias): string {
  const override = provider.tiers?.[alias];
  if (override) return override;
  if (provider.kind === 'openai-compatible') {
    throw new ModelConfigError(
      `The alias '${alias}' has no model on the OpenAI-compatible provider '${provider.id}'`,
      'Set OPENAI_COMPATIBLE_MODEL (or `tiers` in config) to the model the server should run.',
      { model: alias, provider: provider.id },
    );
  }
  return ALIAS_TABLE[provider.kind][alias];
}
