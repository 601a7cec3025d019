/**
 * The OpenTelemetry GenAI semantic-convention names we set. Copied rather than imported from
 * `@opentelemetry/semantic-conventions/incubating`, as OpenTelemetry advises for incubating names:
 * they may change between minor versions of that package, and our spans must not change with them.
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  usageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  usageCacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  agentId: 'gen_ai.agent.id',
  agentName: 'gen_ai.agent.name',
  agentDescription: 'gen_ai.agent.description',
  conversationId: 'gen_ai.conversation.id',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolType: 'gen_ai.tool.type',
  errorType: 'error.type',
} as const;

export const GEN_AI_OPERATION = {
  invokeAgent: 'invoke_agent',
  chat: 'chat',
  executeTool: 'execute_tool',
} as const;

/** Our provider ids → the convention's `gen_ai.provider.name` values (others pass through). */
const PROVIDER_NAMES: Record<string, string> = { google: 'gcp.gemini', gemini: 'gcp.gemini' };

export function providerName(providerId: string): string {
  return PROVIDER_NAMES[providerId] ?? providerId;
}
