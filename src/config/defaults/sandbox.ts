/**
 * The OS sandbox Bash runs in (bubblewrap, src/sandbox): `auto` and `require` run Bash in it and
 * refuse Bash where it cannot work (macOS, no bubblewrap); `off` (the user's choice alone) never uses it.
 */
export const SANDBOX_DEFAULTS = {
  mode: 'auto',
  /**
   * Hidden whatever the policy says: Unix sockets of daemons that run commands for whoever
   * connects, outside any sandbox (Docker/containerd/Podman are root on the host; systemd's
   * private socket and the D-Bus buses start units; /run/user holds the session bus, gpg-agent and
   * ssh-agent sockets). A read-only mount does not stop connect() on a socket: covering does.
   */
  alwaysHidden: [
    '/run/docker.sock',
    '/var/run/docker.sock',
    '/run/docker',
    '/run/containerd',
    '/run/podman',
    '/run/dbus',
    '/var/run/dbus',
    '/run/systemd/private',
    '/run/user',
    '/run/snapd.socket',
    '/run/snapd-snap.socket',
  ],
  /**
   * Set inside the sandbox: caches in the command's private /tmp, since the home is read-only there
   * (npm, pip and go write their caches even to build or install; each command starts empty).
   */
  cacheEnv: { XDG_CACHE_HOME: '/tmp/.cache', npm_config_cache: '/tmp/.npm' },
  /**
   * Environment variables sandboxed commands never see: the model vendors' keys the engine itself
   * holds, credentials without a telling suffix, and (below) every name that looks like one. The
   * engine adds each provider's `apiKeyEnv`. Everything else passes (PATH, HOME, LANG, TERM…).
   */
  hiddenEnv: [
    'ANTHROPIC_API_KEY',
    'ANTHROPIC_AUTH_TOKEN',
    'OPENAI_API_KEY',
    'GEMINI_API_KEY',
    'GOOGLE_GENERATIVE_AI_API_KEY',
    'CODEX_API_KEY',
    'PGPASSWORD',
    'MYSQL_PWD',
    'REDISCLI_AUTH',
    // The task queue's Redis: its password, and write access to it is control of every worker.
    'CODEX_TASK_REDIS_URL',
    // Password managers' unlocked sessions: the whole vault, to whoever holds one.
    'BW_SESSION',
  ],
  /**
   * Names (`*` = anything, `#` = a digit, any case) of variables sandboxed commands never see:
   * credentials by convention, and numbered or suffixed copies (`OPENAI_API_KEY_2`,
   * `ANTHROPIC_API_KEY_WORK`, `GITHUB_TOKEN2`). `KEY` counts as a whole word of the name only, so
   * KEYBOARD_LAYOUT, MONKEY_PATCH and TURKEY_X pass. Not `*_AUTH*`, which would take
   * GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL (commits need them). Values are looked at too: a URL with
   * a password (`postgres://u:p@h`), a vendor's key format (`sk_live_…`, `ghp_…`, `AKIA…`) or a
   * private key block is removed whatever its name (src/sandbox/sandbox-env.ts).
   */
  hiddenEnvPatterns: [
    '*_KEY',
    '*_KEY_*',
    '*_KEY#*',
    '*APIKEY',
    '*AUTHKEY',
    '*ACCESS_KEY*',
    '*PRIVATE_KEY*',
    '*TOKEN',
    '*_TOKEN_*',
    '*_TOKEN#*',
    '*SECRET*',
    '*PASSWORD*',
    '*PASSWD*',
    '*PASSPHRASE*',
    '*_PWD',
    '*_PASS',
    '*_PAT',
    '*CREDENTIAL*',
    '*CREDS*',
    // A kubeconfig holds the cluster's bearer token or client key (KUBE_CONFIG_DATA: base64, in CI);
    // a keystore (ANDROID_KEYSTORE_BASE64) the signing key. As paths they only point into the home.
    '*KUBECONFIG*',
    '*KUBE_CONFIG*',
    '*KEYSTORE*',
    '*_AUTH',
    '*_AUTH_*',
    '*AUTHORIZATION*',
    // Connection strings hold the database's password; a DSN (Sentry's) or a webhook URL is the key.
    '*DATABASE_URL*',
    '*CONNECTION_STRING*',
    '*DSN',
    '*WEBHOOK*',
    'OP_SESSION_*',
  ],
} as const;
