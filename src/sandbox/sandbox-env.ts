import { CREDENTIAL_TOKEN_PATTERNS } from '../config/credential-patterns.ts';
import { SANDBOX_DEFAULTS } from '../config/index.ts';

/**
 * The environment a sandboxed command gets: the host's, minus anything that looks like a credential.
 * A deny list, not an allow list: builds and tests depend on variables no list can foresee
 * (JAVA_HOME, GOPATH, VIRTUAL_ENV, NODE_OPTIONS, CI, the project's own), while credentials follow
 * naming conventions (`*_API_KEY`, `*_TOKEN`, `*_SECRET`…; Codex CLI's default exclusions are the
 * same idea). Exact names cover what the conventions miss: the vendors' keys and whatever a
 * provider's `apiKeyEnv` names. Values that are credentials whatever the name (CREDENTIAL_VALUES)
 * go too: WebFetch runs on the host, so what a command can read can leave.
 */
export function sandboxEnv(
  env: NodeJS.ProcessEnv,
  overrides: NodeJS.ProcessEnv,
  hiddenNames: readonly string[] = [],
): NodeJS.ProcessEnv {
  const names = new Set([...SANDBOX_DEFAULTS.hiddenEnv, ...hiddenNames].map((name) => name.toUpperCase()));
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (names.has(name.toUpperCase()) || HIDDEN_PATTERNS.some((re) => re.test(name))) continue;
    if (value !== undefined && CREDENTIAL_VALUES.some((re) => re.test(value))) continue;
    out[name] = value;
  }
  return { ...out, ...overrides };
}

/**
 * SANDBOX_DEFAULTS.hiddenEnvPatterns as expressions: `*` any characters, `#` one digit, any case.
 */
const HIDDEN_PATTERNS = SANDBOX_DEFAULTS.hiddenEnvPatterns.map(
  (glob) =>
    new RegExp(
      `^${glob
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('#', '[0-9]'))
        .join('.*')}$`,
      'i',
    ),
);

/**
 * Values that are credentials whatever the variable is called: a URL with a password in it
 * (`postgres://app:pw@db/app`, `https://user:token@proxy:3128`, `jdbc:mysql://u:p@h`), a URL whose
 * user name is a token (`https://ghp_…@github.com`, a Sentry DSN: 16 characters or more, where
 * `git@` is not), and the shapes log redaction removes too (CREDENTIAL_TOKEN_PATTERNS: vendors' key
 * formats such as `sk-…`, `sk_live_…`, `ghp_…`, `AKIA…`, JWTs, PEM and PGP private key blocks).
 */
const CREDENTIAL_VALUES: readonly RegExp[] = [
  /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:[^\s/?#@]+@/i,
  /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]{16,}@/i,
  ...CREDENTIAL_TOKEN_PATTERNS,
];
