/**
 * Which model providers are configured and what a model name means: provider settings from the
 * environment, Claude Code's aliases per vendor, and the precedence that picks a task's model.
 * Light on purpose (no AI SDK): commands that only list or resolve load this, not `models/`.
 */
export { ALIAS_TABLE, vendorOfModelId } from './aliases.ts';
export {
  MODEL_ALIASES,
  type ModelAlias,
  type ProviderConfig,
  type ProviderKind,
  providersFromEnv,
  type RateLimit,
} from './provider-config.ts';
export {
  AUTO_MODEL,
  chooseModel,
  type ModelChoice,
  type ModelRouter,
  type ModelRouting,
  type ResolvedModel,
  resolveModel,
  resolveSpec,
} from './resolve-model.ts';
