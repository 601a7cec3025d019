import { IncompleteStreamError } from './classify-failure.ts';
import type { ModelStreamResult } from './observe-model-calls.ts';
import type { ProviderUsage } from './pricing.ts';

type StreamPart = ModelStreamResult['stream'] extends ReadableStream<infer P> ? P : never;

/**
 * Parts that carry no output (metadata, and provider-specific `custom` parts such as Anthropic's
 * message_start): a failure before anything else arrives can still be retried unseen.
 */
const PREAMBLE = new Set(['stream-start', 'response-metadata', 'raw', 'ping', 'custom']);

/**
 * Reads a streamed reply up to its first output part, so a failure before any output (an error
 * status inside the stream, a reset, a cut) fails the attempt and is retried where no one has seen
 * anything. Once output has started the rest is passed through as it comes; a cut after that point
 * surfaces as a stream error (the engine runs its turns with generateText, where a cut reply is
 * retried from the start of the turn). `hold` keeps the attempt's signal and timeout alive until
 * the stream ends; `onFinish` gets the usage of the finish part.
 */
export async function primeStream(
  result: ModelStreamResult,
  hold: () => () => void,
  onFinish: (usage: ProviderUsage) => void,
): Promise<ModelStreamResult> {
  const reader = result.stream.getReader();
  const head: StreamPart[] = [];
  for (;;) {
    const next = await reader.read();
    if (next.done) {
      if (!head.some((part) => part.type === 'finish'))
        throw new IncompleteStreamError('The model stream ended before any output');
      break;
    }
    const part = next.value;
    if (part.type === 'error') throw part.error;
    head.push(part);
    if (part.type === 'finish') onFinish(part.usage);
    if (!PREAMBLE.has(part.type)) break;
  }
  const release = hold();
  let ended = false;
  const end = () => {
    if (!ended) release();
    ended = true;
  };
  const stream = new ReadableStream<StreamPart>({
    start(controller) {
      for (const part of head) controller.enqueue(part);
    },
    async pull(controller) {
      try {
        const next = await reader.read();
        if (next.done) {
          end();
          controller.close();
          return;
        }
        if (next.value.type === 'finish') onFinish(next.value.usage);
        controller.enqueue(next.value);
      } catch (error) {
        end();
        controller.error(error);
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
  return { ...result, stream };
}
