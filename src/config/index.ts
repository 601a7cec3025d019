export {
  type ConfigFile,
  type ConfigInput,
  type Credentials,
  configSchemas,
  type PermissionsConfig,
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
export { ENV_VARS, type EnvVar, unknownEnvVars } from './env-vars.ts';
export {
  ConfigError,
  type ConfigSource,
  configFiles,
  type LoadedConfig,
  loadConfig,
  projectConfigTrustItem,
} from './load-config.ts';
export { PROJECT_TRUSTED_KEYS, USER_ONLY_PROJECT_KEYS } from './project-keys.ts';
export { effectiveProviders } from './providers.ts';
export { loadRuntimeSettings, type RuntimeSettings } from './runtime-settings.ts';
