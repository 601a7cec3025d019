// What a model name means lives in providers/ (no AI SDK); re-exported for callers of both.
export * from '../providers/index.ts';
export { AdaptiveLimit, type ConcurrencySnapshot, type Permit } from './adaptive-limit.ts';
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
export { describeFailure, toProviderError } from './provider-errors.ts';
export type { ProviderHealth } from './provider-health.ts';
export { providerSearchTool, type SearchTool, type SearchToolOptions } from './provider-search-tool.ts';
export {
  type ResilienceConfig,
  type ResilienceOptions,
  type RetryConfig,
  resolveResilience,
  type TimeoutConfig,
} from './resilience-config.ts';
export type { AttemptReport, FailoverReport, GatewayStats, RouteObserver } from './resilient-call.ts';
export {
  localRateLimiter,
  type ProviderRateLimiter,
  RateLimiter,
  type RateLimiterFactory,
  type RateLimitSnapshot,
  TokenBucket,
} from './token-bucket.ts';
