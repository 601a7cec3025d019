import { DEFAULTS } from '../config/index.ts';

/**
 * The environment a sandboxed command gets: the host's, minus anything that looks like a credential.
 * A deny list, not an allow list: builds and tests depend on variables no list can foresee
 * (JAVA_HOME, GOPATH, VIRTUAL_ENV, NODE_OPTIONS, CI, the project's own), while credentials follow
 * naming conventions (`*_API_KEY`, `*_TOKEN`, `*_SECRET`…; Codex CLI's default exclusions are the
 * same idea). Exact names cover what the conventions miss: the vendors' keys and whatever a
 * provider's `apiKeyEnv` names.
 */
export function sandboxEnv(
  env: NodeJS.ProcessEnv,
  overrides: NodeJS.ProcessEnv,
  hiddenNames: readonly string[] = [],
): NodeJS.ProcessEnv {
  const names = new Set([...DEFAULTS.sandbox.hiddenEnv, ...hiddenNames].map((name) => name.toUpperCase()));
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (!names.has(name.toUpperCase()) && !HIDDEN_PATTERNS.some((re) => re.test(name))) out[name] = value;
  }
  return { ...out, ...overrides };
}

/** DEFAULTS.sandbox.hiddenEnvPatterns (`*` = any characters, case-insensitive) as expressions. */
const HIDDEN_PATTERNS = DEFAULTS.sandbox.hiddenEnvPatterns.map(
  (glob) =>
    new RegExp(
      `^${glob
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      'i',
    ),
);
