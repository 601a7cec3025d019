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
  DEFAULT_PRICES,
  DEFAULT_PROTECTED_PATHS,
  DEFAULT_SECRET_EXCEPTIONS,
  DEFAULT_SECRET_PATHS,
  ENGINE_DEFAULTS,
  type ModelPrice,
  OBSERVABILITY_DEFAULTS,
  PROXY_DEFAULTS,
  RESILIENCE_DEFAULTS,
  SAFE_ENV_VARIABLES,
  SANDBOX_DEFAULTS,
  SUBAGENT_MODEL_ENV,
  TOOL_DEFAULTS,
  WEB_CONVERTER_DEFAULTS,
  WEB_TOOL_DEFAULTS,
} from './defaults/index.ts';
export { ENV_VARS, type EnvVar, unknownEnvVars } from './env-vars.ts';
export {
  ConfigError,
  type ConfigSource,
  configFiles,
  type LoadedConfig,
  loadConfig,
  projectConfigTrustItem,
} from './load-config.ts';
export {
  configSlots,
  type Level,
  optionSlots,
  optionsFromConfig,
  type Resolved,
  resolvePrecedence,
  resolveSettings,
  type Slot,
} from './precedence.ts';
export { PROJECT_TRUSTED_KEYS, USER_ONLY_PROJECT_KEYS } from './project-keys.ts';
export { effectiveProviders } from './providers.ts';
export {
  REDIS_URL_KINDS,
  REDIS_URL_PATTERN,
  redactRedisUrl,
  redisTarget,
  type SentinelTarget,
} from './redis-url.ts';
export { loadRuntimeSettings, type RuntimeSettings } from './runtime-settings.ts';
export { defaultsOf, type OptionsOf, type Setting, type SettingsTree, type ValuesOf } from './setting.ts';
export {
  CONFIG_SETTINGS,
  ENGINE_SETTINGS,
  type EngineSettingOptions,
  type EngineSettings,
  PROXY_SETTINGS,
} from './settings.ts';
