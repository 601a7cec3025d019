import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { wrapLanguageModel } from 'ai';
import type { ProviderConfig, ResolvedModel } from '../providers/index.ts';
import { createKeepAliveFetch } from './http-fetch.ts';

/** A provider's model object, as every AI SDK call and middleware accepts it. */
export type ProviderModel = Parameters<typeof wrapLanguageModel>[0]['model'];
type ModelMaker = (modelId: string) => ProviderModel;

/** Builds AI SDK language models for resolved models, one provider instance and one pool per process. */
export class ModelFactory {
  readonly #fetch: typeof globalThis.fetch;
  readonly #makers = new Map<string, ModelMaker>();
  readonly #models = new Map<string, ProviderModel>();

  constructor(options: { fetch?: typeof globalThis.fetch } = {}) {
    this.#fetch = options.fetch ?? createKeepAliveFetch();
  }

  languageModel(resolved: ResolvedModel): ProviderModel {
    let model = this.#models.get(resolved.spec);
    if (!model) {
      model = this.#maker(resolved.provider)(resolved.modelId);
      this.#models.set(resolved.spec, model);
    }
    return model;
  }

  #maker(provider: ProviderConfig): ModelMaker {
    const key = `${provider.id}|${provider.kind}|${provider.baseURL ?? ''}|${provider.api ?? ''}`;
    let maker = this.#makers.get(key);
    if (!maker) {
      maker = createMaker(provider, this.#fetch);
      this.#makers.set(key, maker);
    }
    return maker;
  }
}

function createMaker(provider: ProviderConfig, fetch: typeof globalThis.fetch): ModelMaker {
  const common = {
    ...(provider.baseURL ? { baseURL: provider.baseURL } : {}),
    ...(provider.apiKey ? { apiKey: provider.apiKey } : {}),
    fetch,
  };
  switch (provider.kind) {
    case 'anthropic': {
      const anthropic = createAnthropic(common);
      return (id) => anthropic(id);
    }
    case 'openai': {
      const openai = createOpenAI(common);
      return provider.api === 'chat' ? (id) => openai.chat(id) : (id) => openai.responses(id);
    }
    case 'google': {
      const google = createGoogleGenerativeAI(common);
      return (id) => google(id);
    }
    case 'openai-compatible': {
      const compatible = createOpenAICompatible({
        ...common,
        name: provider.id,
        baseURL: provider.baseURL ?? '',
        includeUsage: true,
      });
      return (id) => compatible(id);
    }
  }
}
