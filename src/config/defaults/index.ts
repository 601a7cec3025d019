/**
 * Every built-in default, one module per concern. Each module is a leaf (it imports nothing from
 * the rest of src), so any layer may read it without pulling in config loading or zod. Which of
 * these are settings (overridable by flag, env and config files) is declared in config/settings.ts.
 */
export { ENGINE_DEFAULTS, SUBAGENT_MODEL_ENV } from './engine.ts';
export { OBSERVABILITY_DEFAULTS } from './observability.ts';
export { DEFAULT_PRICES, type ModelPrice } from './prices.ts';
export { PROXY_DEFAULTS } from './proxy.ts';
export { RESILIENCE_DEFAULTS } from './resilience.ts';
export { SANDBOX_DEFAULTS } from './sandbox.ts';
export {
  DEFAULT_PROTECTED_PATHS,
  DEFAULT_SECRET_EXCEPTIONS,
  DEFAULT_SECRET_PATHS,
  SAFE_ENV_VARIABLES,
} from './security.ts';
export { TOOL_DEFAULTS, WEB_CONVERTER_DEFAULTS, WEB_TOOL_DEFAULTS } from './tools.ts';
