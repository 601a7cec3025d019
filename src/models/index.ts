export { ALIAS_TABLE, vendorOfModelId } from './aliases.ts';
export { createKeepAliveFetch } from './http-fetch.ts';
export { ModelFactory, type ProviderModel } from './model-factory.ts';
export { type ModelCallObserver, observeModelCalls } from './observe-model-calls.ts';
export {
  MODEL_ALIASES,
  type ModelAlias,
  type ProviderConfig,
  type ProviderKind,
  providersFromEnv,
} from './provider-config.ts';
export { toProviderError } from './provider-errors.ts';
export {
  chooseModel,
  type ModelChoice,
  type ResolvedModel,
  resolveModel,
  resolveSpec,
} from './resolve-model.ts';
