import { wrapLanguageModel } from 'ai';
import type { ProviderModel } from './model-factory.ts';

export interface ModelCallObserver {
  onCallStart?(): void;
  onCallEnd?(info: { durationMs: number; error?: unknown }): void;
}

/**
 * The one place every model call of a subagent passes through (AI SDK middleware). The engine uses it
 * to separate time inside model calls from its own overhead; resilience (retry, breaker, failover)
 * wraps here too.
 */
export function observeModelCalls(model: ProviderModel, observer: ModelCallObserver): ProviderModel {
  const observe = async <T>(call: () => PromiseLike<T>): Promise<T> => {
    observer.onCallStart?.();
    const started = performance.now();
    try {
      const result = await call();
      observer.onCallEnd?.({ durationMs: performance.now() - started });
      return result;
    } catch (error) {
      observer.onCallEnd?.({ durationMs: performance.now() - started, error });
      throw error;
    }
  };
  return wrapLanguageModel({
    model,
    middleware: {
      wrapGenerate: ({ doGenerate }) => observe(doGenerate),
      wrapStream: ({ doStream }) => observe(doStream),
    },
  });
}
