import type { ModelPrice } from '../config/defaults/index.ts';
import type { ProviderConfig, RateLimit, ResolvedModel } from '../providers/index.ts';
import { Endpoint } from './endpoint.ts';
import { type FailoverChains, failoverCandidates } from './failover-chains.ts';
import { createKeepAliveFetch } from './http-fetch.ts';
import { ModelFactory, type ProviderModel } from './model-factory.ts';
import { ModelRoute, type RouteCandidate } from './model-route.ts';
import {
  type CallRouter,
  type LanguageModelV4,
  type ModelCallObserver,
  type ModelCallOptions,
  observeModelCalls,
} from './observe-model-calls.ts';
import { type CallUsage, costOf, type ProviderUsage, priceFor, toCallUsage } from './pricing.ts';
import type { ProviderHealth } from './provider-health.ts';
import { type ResilienceConfig, type ResilienceOptions, resolveResilience } from './resilience-config.ts';
import {
  callWithResilience,
  type GatewayStats,
  type RouteObserver,
  type ServedCall,
} from './resilient-call.ts';
import { primeStream } from './stream-attempt.ts';
import type { RateLimiterFactory } from './token-bucket.ts';

export interface ModelGatewayOptions {
  providers: readonly ProviderConfig[];
  /** Replaces the shared keep-alive fetch (then only the per-call total timeout applies). */
  fetch?: typeof globalThis.fetch;
  resilience?: ResilienceOptions;
  /** Model alias or id → ordered `provider:model` candidates; none = never substituted. */
  failover?: FailoverChains;
  /** Prices by `provider:model` or model id, over the shipped table. */
  prices?: Readonly<Record<string, ModelPrice>>;
  /** Per provider id; a provider's own `rateLimit` is used when absent here. */
  rateLimits?: Readonly<Record<string, RateLimit>>;
  /** Makes each provider's rate limiter: this process's own by default, shared by a queue's workers. */
  rateLimiter?: RateLimiterFactory;
  /**
   * The ceiling of each provider's adaptive concurrency when its rate limit sets none
   * (`maxConcurrency`): the engine's own concurrency, which it starts at.
   */
  maxConcurrency?: number;
}

/** One model call that was served: which model, its tokens and cost. */
export interface UsageReport {
  provider: string;
  model: string;
  usage: CallUsage;
  /** null when the model's price is unknown. */
  costUsd: number | null;
}

export interface GatewayObserver extends ModelCallObserver, RouteObserver {
  onUsage?(report: UsageReport): void;
}

/**
 * Every model call of an engine goes through here: providers built once over one keep-alive pool,
 * one endpoint (circuit breaker, rate limits, health) per provider, failover routes per task, and
 * usage and cost per call. The AI SDK's own retries are off; this is the only retry loop.
 */
export class ModelGateway {
  readonly config: ResilienceConfig;
  readonly stats: GatewayStats = { openCircuitWaits: 0, failovers: 0, retries: 0 };
  readonly #factory: ModelFactory;
  readonly #providers: readonly ProviderConfig[];
  readonly #chains: FailoverChains;
  readonly #prices: Readonly<Record<string, ModelPrice>>;
  readonly #maxConcurrency: number | undefined;
  readonly #rateLimiter: RateLimiterFactory | undefined;
  readonly #endpoints = new Map<string, Endpoint>();

  constructor(options: ModelGatewayOptions) {
    this.config = resolveResilience(options.resilience);
    const t = this.config.timeouts;
    this.#factory = new ModelFactory({
      fetch:
        options.fetch ??
        createKeepAliveFetch({
          connectTimeoutMs: t.connectMs,
          headersTimeoutMs: t.firstByteMs,
          bodyTimeoutMs: t.idleMs,
        }),
    });
    this.#providers = options.providers;
    this.#chains = options.failover ?? {};
    this.#prices = options.prices ?? {};
    this.#maxConcurrency = options.maxConcurrency;
    this.#rateLimiter = options.rateLimiter;
    for (const provider of options.providers) {
      const rateLimit = options.rateLimits?.[provider.id] ?? provider.rateLimit;
      this.#endpoints.set(
        provider.id,
        new Endpoint(provider, {
          breaker: this.config.breaker,
          ...(rateLimit && { rateLimit }),
          ...(options.maxConcurrency !== undefined && { maxConcurrency: options.maxConcurrency }),
          ...(options.rateLimiter && { rateLimiter: options.rateLimiter }),
        }),
      );
    }
  }

  /** The candidates a task may be served by (see `failoverCandidates`), ready to call. */
  route(resolved: ResolvedModel, options: { failover: boolean } = { failover: true }): ModelRoute {
    const candidates = failoverCandidates(resolved, this.#providers, this.#chains, options);
    return new ModelRoute(candidates.map((c) => this.#candidate(c)));
  }

  /** The model a task's agent loop calls: every turn goes through the route with retries and failover. */
  languageModel(route: ModelRoute, observer: GatewayObserver): ProviderModel {
    return observeModelCalls(route.primary.model, observer, this.router(route, observer));
  }

  router(route: ModelRoute, observer: GatewayObserver): CallRouter {
    const common = (params: ModelCallOptions) => ({
      route,
      config: this.config,
      signal: params.abortSignal,
      observer,
      stats: this.stats,
      estimateTokens: () => estimateTokens(params),
    });
    return {
      generate: async (params) => {
        const served = await callWithResilience({
          ...common(params),
          attempt: async (candidate, signal) =>
            asV4(candidate.model).doGenerate({
              ...params,
              prompt: promptFor(route, params),
              abortSignal: signal,
            }),
        });
        this.#served(served, served.result.usage, observer);
        return served.result;
      },
      stream: async (params) => {
        // The finish part (with the usage) may arrive while the stream is primed, before we know who served.
        let pending: ProviderUsage | undefined;
        let report: ((usage: ProviderUsage) => void) | undefined;
        const onFinish = (usage: ProviderUsage) => {
          if (report) report(usage);
          else pending = usage;
        };
        const served = await callWithResilience({
          ...common(params),
          attempt: async (candidate, signal, hold) => {
            pending = undefined;
            const result = await asV4(candidate.model).doStream({
              ...params,
              prompt: promptFor(route, params),
              abortSignal: signal,
            });
            return primeStream(result, hold, onFinish);
          },
        });
        report = (usage) => this.#served(served, usage, observer);
        if (pending) report(pending);
        return served.result;
      },
    };
  }

  /** A snapshot per configured provider: circuit, recent error rate, latency, last error, rate limits. */
  providerHealth(): ProviderHealth[] {
    return [...this.#endpoints.values()].map((endpoint) => endpoint.snapshot());
  }

  #candidate(c: { provider: ProviderConfig; modelId: string; spec: string }): RouteCandidate {
    return {
      ...c,
      model: this.#factory.languageModel({ ...c, requested: c.spec, source: 'call' }),
      endpoint: this.#endpoints.get(c.provider.id) ?? this.#endpointFor(c.provider),
      price: priceFor(c.spec, c.modelId, this.#prices),
    };
  }

  #endpointFor(provider: ProviderConfig): Endpoint {
    const endpoint = new Endpoint(provider, {
      breaker: this.config.breaker,
      ...(provider.rateLimit && { rateLimit: provider.rateLimit }),
      ...(this.#maxConcurrency !== undefined && { maxConcurrency: this.#maxConcurrency }),
      ...(this.#rateLimiter && { rateLimiter: this.#rateLimiter }),
    });
    this.#endpoints.set(provider.id, endpoint);
    return endpoint;
  }

  #served(served: ServedCall<unknown>, providerUsage: ProviderUsage, observer: GatewayObserver): void {
    const usage = toCallUsage(providerUsage);
    served.candidate.endpoint.limiter?.settle(served.estimate, usage.inputTokens + usage.outputTokens);
    observer.onUsage?.({
      provider: served.candidate.provider.id,
      model: served.candidate.spec,
      usage,
      costUsd: costOf(usage, served.candidate.price),
    });
  }
}

function asV4(model: ProviderModel): LanguageModelV4 {
  return model as LanguageModelV4;
}

/** ~4 characters a token: only used to reserve from a tokens-per-minute budget, settled afterwards. */
function estimateTokens(params: ModelCallOptions): number {
  return Math.ceil(JSON.stringify(params.prompt).length / 4);
}

const stripped = new WeakMap<ModelCallOptions['prompt'], ModelCallOptions['prompt']>();

/**
 * Once a task has been served by more than one candidate, earlier assistant turns lose their
 * provider-specific references (an OpenAI Responses `itemId` is resolvable only on the endpoint that
 * stored it; sent elsewhere it is a 400), so every turn carries its full content instead.
 */
function promptFor(route: ModelRoute, params: ModelCallOptions): ModelCallOptions['prompt'] {
  if (!route.switched) return params.prompt;
  let prompt = stripped.get(params.prompt);
  if (!prompt) {
    prompt = params.prompt.map((message) =>
      message.role === 'assistant'
        ? {
            role: 'assistant',
            content: message.content.map(({ providerOptions: _, ...part }) => part),
          }
        : message,
    ) as ModelCallOptions['prompt'];
    stripped.set(params.prompt, prompt);
  }
  return prompt;
}
