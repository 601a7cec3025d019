export {
  type ConfigFile,
  type ConfigInput,
  type Credentials,
  configSchemas,
  type PermissionsConfig,
  USER_ONLY_PERMISSION_KEYS,
} from './config-schema.ts';
export {
  credentialsPath,
  credentialsPermissionProblem,
  KEY_ENV_OF,
  maskKey,
  readCredentials,
  removeCredential,
  saveCredential,
} from './credentials.ts';
export {
  DEFAULT_PROTECTED_PATHS,
  DEFAULT_SECRET_EXCEPTIONS,
  DEFAULT_SECRET_PATHS,
  DEFAULTS,
  PROXY_DEFAULTS,
  SAFE_ENV_VARIABLES,
  SUBAGENT_MODEL_ENV,
} from './defaults.ts';
export { ConfigError, type ConfigSource, configFiles, type LoadedConfig, loadConfig } from './load-config.ts';
export { effectiveProviders } from './providers.ts';
export { loadRuntimeSettings, type RuntimeSettings } from './runtime-settings.ts';
