export { type ConfigFile, type ConfigInput, configFileSchema, durationMs } from './config-schema.ts';
export {
  type Credentials,
  credentialsPath,
  credentialsPermissionProblem,
  KEY_ENV_OF,
  maskKey,
  readCredentials,
  removeCredential,
  saveCredential,
} from './credentials.ts';
export { DEFAULTS, SUBAGENT_MODEL_ENV } from './defaults.ts';
export { ConfigError, type ConfigSource, configFiles, type LoadedConfig, loadConfig } from './load-config.ts';
export { effectiveProviders } from './providers.ts';
export { loadRuntimeSettings, type RuntimeSettings } from './runtime-settings.ts';
