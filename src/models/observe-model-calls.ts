import { type LanguageModelMiddleware, wrapLanguageModel } from 'ai';
import type { ProviderModel } from './model-factory.ts';

type WrapGenerate = NonNullable<LanguageModelMiddleware['wrapGenerate']>;
type WrapStream = NonNullable<LanguageModelMiddleware['wrapStream']>;
/** The AI SDK's language model (specification v4), what the providers build and the middleware returns. */
export type LanguageModelV4 = ReturnType<typeof wrapLanguageModel>;
export type ModelCallOptions = Parameters<WrapGenerate>[0]['params'];
export type ModelGenerateResult = Awaited<ReturnType<WrapGenerate>>;
export type ModelStreamResult = Awaited<ReturnType<WrapStream>>;

export interface ModelCallObserver {
  onCallStart?(): void;
  /**
   * One model turn ended (after any retries and failover); `durationMs` covers them all. `text` is
   * what the model said in that turn (non-streaming calls), known before its tool calls run.
   */
  onCallEnd?(info: { durationMs: number; error?: unknown; text?: string }): void;
}

/** Serves a model turn instead of the wrapped model's own call: the resilience layer (`ModelGateway.router`). */
export interface CallRouter {
  generate(params: ModelCallOptions): Promise<ModelGenerateResult>;
  stream(params: ModelCallOptions): Promise<ModelStreamResult>;
}

/**
 * The one place every model call of a subagent passes through (AI SDK middleware). The engine uses it
 * to separate time inside model calls from its own overhead; with a router, every call goes through
 * resilience (retry, circuit breaker, failover, rate limits) instead of straight to the provider.
 */
export function observeModelCalls(
  model: ProviderModel,
  observer: ModelCallObserver,
  router?: CallRouter,
): ProviderModel {
  const observe = async <T>(call: () => PromiseLike<T>): Promise<T> => {
    observer.onCallStart?.();
    const started = performance.now();
    try {
      const result = await call();
      observer.onCallEnd?.({ durationMs: performance.now() - started, ...textOf(result) });
      return result;
    } catch (error) {
      observer.onCallEnd?.({ durationMs: performance.now() - started, error });
      throw error;
    }
  };
  return wrapLanguageModel({
    model,
    middleware: {
      wrapGenerate: ({ doGenerate, params }) => observe(router ? () => router.generate(params) : doGenerate),
      wrapStream: ({ doStream, params }) => observe(router ? () => router.stream(params) : doStream),
    },
  });
}

/** The text parts of a generate result (a stream result has no `content`: its text comes later). */
function textOf(result: unknown): { text?: string } {
  const content = (result as { content?: { type: string; text?: string }[] }).content;
  if (!Array.isArray(content)) return {};
  const text = content
    .filter((part) => part.type === 'text' && part.text)
    .map((part) => part.text)
    .join('');
  return text ? { text } : {};
}
