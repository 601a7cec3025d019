export { ALIAS_TABLE, vendorOfModelId } from './aliases.ts';
export {
  CallTimeoutError,
  classifyFailure,
  type Failure,
  type FailureKind,
  retryAfterFromHeaders,
} from './classify-failure.ts';
export { type BreakerConfig, Endpoint, type EndpointAdmission } from './endpoint.ts';
export {
  type Candidate,
  type FailoverChains,
  failoverCandidates,
  parseFailoverChains,
} from './failover-chains.ts';
export { createKeepAliveFetch } from './http-fetch.ts';
export { ModelFactory, type ProviderModel } from './model-factory.ts';
export {
  type GatewayObserver,
  ModelGateway,
  type ModelGatewayOptions,
  type UsageReport,
} from './model-gateway.ts';
export { ModelRoute, type RouteCandidate } from './model-route.ts';
export { type CallRouter, type ModelCallObserver, observeModelCalls } from './observe-model-calls.ts';
export { type CallUsage, costOf, priceFor } from './pricing.ts';
export {
  MODEL_ALIASES,
  type ModelAlias,
  type ProviderConfig,
  type ProviderKind,
  providersFromEnv,
} from './provider-config.ts';
export { describeFailure, toProviderError } from './provider-errors.ts';
export type { ProviderHealth } from './provider-health.ts';
export {
  type ResilienceConfig,
  type ResilienceOptions,
  type RetryConfig,
  resolveResilience,
  type TimeoutConfig,
} from './resilience-config.ts';
export type { AttemptReport, FailoverReport, GatewayStats, RouteObserver } from './resilient-call.ts';
export {
  chooseModel,
  type ModelChoice,
  type ResolvedModel,
  resolveModel,
  resolveSpec,
} from './resolve-model.ts';
export { type RateLimit, RateLimiter, TokenBucket } from './token-bucket.ts';
