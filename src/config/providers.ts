import { type ProviderConfig, providersFromEnv } from '../providers/index.ts';
import type { ConfigFile, Credentials } from './config-schema.ts';
import { KEY_ENV_OF } from './credentials.ts';

type Env = Record<string, string | undefined>;

/**
 * The providers a run can use: the vendors' env vars (highest), keys stored by `codex-task login`,
 * and providers declared in config (base URLs, key variable names, tiers). Env vars win over the
 * credentials file, as the issue and the vendors' own CLIs do.
 */
export function effectiveProviders(options: {
  env: Env;
  config: ConfigFile;
  credentials: Credentials;
}): ProviderConfig[] {
  const { env, config, credentials } = options;
  const withStoredKeys: Env = { ...env };
  for (const [name, variable] of Object.entries(KEY_ENV_OF)) {
    const stored = credentials[name]?.apiKey;
    if (stored && !env[variable] && !(name === 'google' && env.GOOGLE_GENERATIVE_AI_API_KEY))
      withStoredKeys[variable] = stored;
  }
  const providers = providersFromEnv(withStoredKeys);
  for (const [id, declared] of Object.entries(config.providers ?? {})) {
    const keyEnv = declared.apiKeyEnv ?? KEY_ENV_OF[declared.kind];
    const apiKey = (keyEnv ? withStoredKeys[keyEnv] : undefined) ?? credentials[id]?.apiKey;
    const existing = providers.findIndex((p) => p.id === id);
    const base = existing >= 0 ? providers[existing] : undefined;
    const provider: ProviderConfig = {
      ...base,
      id,
      kind: declared.kind,
      ...(apiKey ? { apiKey } : {}),
      ...(keyEnv ? { apiKeyEnv: keyEnv } : {}),
      ...(declared.baseURL ? { baseURL: declared.baseURL } : {}),
      ...(declared.api ? { api: declared.api } : {}),
      ...(declared.tiers ? { tiers: { ...base?.tiers, ...declared.tiers } } : {}),
    };
    if (existing >= 0) providers[existing] = provider;
    else providers.push(provider);
  }
  return providers;
}
