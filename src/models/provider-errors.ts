import { APICallError } from 'ai';
import { ProviderError } from '../errors/index.ts';
import type { ProviderConfig } from '../providers/index.ts';

/** Turns an AI SDK call failure into a ProviderError carrying the real status, message and a fix. */
export function toProviderError(error: unknown, provider: ProviderConfig, modelId: string): unknown {
  if (!APICallError.isInstance(error)) return error;
  const status = error.statusCode;
  return new ProviderError(
    describeFailure(error, provider, modelId),
    status,
    hintFor(status, provider, modelId),
    {
      cause: error,
      provider: provider.id,
      model: modelId,
    },
  );
}

/** `openai:gpt-5.5 answered 503: <the vendor's own message>`, or what went wrong on the way. */
export function describeFailure(error: unknown, provider: ProviderConfig, modelId: string): string {
  const where = `${provider.id}:${modelId}`;
  if (!APICallError.isInstance(error)) {
    return `${where} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const status = error.statusCode;
  const detail = vendorMessage(error) ?? error.message;
  if (status !== undefined && status < 300) return `${where} sent a reply that could not be read: ${detail}`;
  return status ? `${where} answered ${status}: ${detail}` : `${where} could not be reached: ${detail}`;
}

function vendorMessage(error: APICallError): string | undefined {
  const data = error.data as { error?: { message?: unknown } | string; message?: unknown } | undefined;
  if (typeof data?.error === 'string') return data.error;
  if (typeof data?.error?.message === 'string') return data.error.message;
  if (typeof data?.message === 'string') return data.message;
  return undefined;
}

function hintFor(status: number | undefined, provider: ProviderConfig, modelId: string): string {
  const keyEnv = provider.apiKeyEnv ?? 'the API key';
  if (status === 401) return `The key was rejected: check ${keyEnv}.`;
  if (status === 403) return `The key in ${keyEnv} is not allowed to use ${modelId}.`;
  if (status === 404)
    return `The provider does not know the model '${modelId}': check \`model\` in the agent file or the alias table.`;
  if (status === 429) return 'Rate limited by the provider: lower the concurrency or wait.';
  if (status === undefined || status >= 500)
    return `The ${provider.id} provider is unavailable right now; try again later.`;
  return 'The provider refused the request; see the message above.';
}
