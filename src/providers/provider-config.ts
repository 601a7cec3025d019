/** The model vendors we speak to, each through its AI SDK provider. */
export type ProviderKind = 'anthropic' | 'openai' | 'google' | 'openai-compatible';

export const MODEL_ALIASES = ['haiku', 'sonnet', 'opus', 'fable'] as const;
export type ModelAlias = (typeof MODEL_ALIASES)[number];

export interface ProviderConfig {
  /** The name used in `provider:model` specs (`anthropic`, `openai`, `google`, or a compatible server's name). */
  id: string;
  kind: ProviderKind;
  apiKey?: string;
  baseURL?: string;
  /** OpenAI only: the Responses API (default) or Chat Completions. */
  api?: 'responses' | 'chat';
  /** The env var the key came from, so an auth error can name it. */
  apiKeyEnv?: string;
  /** Overrides of the alias → model table for this provider. */
  tiers?: Partial<Record<ModelAlias, string>>;
  /** Requests / tokens per minute for this provider: calls over budget queue (none by default). */
  rateLimit?: RateLimit;
}

type Env = Record<string, string | undefined>;

/** Providers configured by the vendors' usual environment variables, in alias-preference order. */
export function providersFromEnv(env: Env = process.env): ProviderConfig[] {
  const providers: ProviderConfig[] = [];
  if (env.ANTHROPIC_API_KEY || env.ANTHROPIC_BASE_URL) {
    providers.push({
      id: 'anthropic',
      kind: 'anthropic',
      apiKey: env.ANTHROPIC_API_KEY,
      baseURL: env.ANTHROPIC_BASE_URL,
      apiKeyEnv: 'ANTHROPIC_API_KEY',
    });
  }
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) {
    providers.push({
      id: 'openai',
      kind: 'openai',
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL,
      api: env.CODEX_TASK_OPENAI_API === 'chat' ? 'chat' : 'responses',
      apiKeyEnv: 'OPENAI_API_KEY',
    });
  }
  const googleKeyEnv = env.GOOGLE_GENERATIVE_AI_API_KEY ? 'GOOGLE_GENERATIVE_AI_API_KEY' : 'GEMINI_API_KEY';
  if (env[googleKeyEnv] || env.GOOGLE_GENERATIVE_AI_BASE_URL) {
    providers.push({
      id: 'google',
      kind: 'google',
      apiKey: env[googleKeyEnv],
      baseURL: env.GOOGLE_GENERATIVE_AI_BASE_URL,
      apiKeyEnv: googleKeyEnv,
    });
  }
  if (env.OPENAI_COMPATIBLE_BASE_URL) {
    const model = env.OPENAI_COMPATIBLE_MODEL;
    providers.push({
      id: env.OPENAI_COMPATIBLE_NAME ?? 'compatible',
      kind: 'openai-compatible',
      apiKey: env.OPENAI_COMPATIBLE_API_KEY,
      baseURL: env.OPENAI_COMPATIBLE_BASE_URL,
      apiKeyEnv: 'OPENAI_COMPATIBLE_API_KEY',
      ...(model ? { tiers: { haiku: model, sonnet: model, opus: model, fable: model } } : {}),
    });
  }
  return providers;
}

/** Requests and tokens per minute a provider accepts from us; calls over budget wait. */
export interface RateLimit {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** Requests that may go at once after an idle period (default: a whole minute's budget, as vendors allow). */
  burst?: number;
  /**
   * Calls in flight at most: the ceiling of the adaptive limit, which starts at 10 (or this, if
   * lower), backs off when the provider answers 429/503/529 or slows down, and grows back as calls
   * succeed. None: no ceiling but the engine's `concurrency` (the limit grows only while it is used).
   */
  maxConcurrency?: number;
  /** The adaptive limit's floor (default 1); equal to `maxConcurrency`, the limit is fixed. */
  minConcurrency?: number;
}
