/**
 * Every default of codex-task in one place. Each is overridable, in this order of precedence:
 * flag/code option > environment > config file > this table.
 */
export const DEFAULTS = {
  /** Subagents running at once per engine (Claude Code has no cap; unbounded fan-out is what users complain of). */
  concurrency: 10,
  /** Wall-clock bound of one Task, from start (not queueing) to result. */
  taskTimeoutMs: 10 * 60_000,
  /** Model turns one subagent may take before it is stopped with MaxTurnsExceeded. */
  maxTurns: 50,
  /** Nesting depth of Task inside subagents; 3 as in Claude Code, 1 disables nesting. */
  maxSpawnDepth: 3,
  /** Model used for `inherit` / no `model` when the caller has none (the library and CLI have no parent model). */
  callerModel: 'sonnet',
  /** Project instructions (AGENTS.md / CLAUDE.md) passed to a subagent are capped at this many characters. */
  projectInstructionsMaxChars: 20_000,
  /**
   * A subagent's output handed to its caller (the parent model reads it) is cut to this many
   * characters; the original is saved under `~/.codex-task/outputs/<taskId>.txt` (0600), its path in
   * the text, and kept as long as run records (`store.retentionDays`).
   */
  outputMaxChars: 50_000,
  /**
   * Engine-wide budgets per session/run (one engine). Unbounded by default so a long-lived library
   * user is never refused by surprise; surfaces that serve a model (MCP, proxy, CLI) should set them.
   * A Task over budget is refused with BudgetExceeded; `maxCostUsd` also stops running tasks at their
   * next model call. Calls to models without a known price cost nothing against `maxCostUsd`.
   */
  budgets: {
    maxTasks: Number.POSITIVE_INFINITY,
    maxCostUsd: Number.POSITIVE_INFINITY,
  },
  /** Provider resilience (models/): the one retry loop, circuit breakers, failover and timeouts. */
  resilience: {
    retry: {
      /** Attempts of one model turn, across all candidates of its failover chain. */
      maxAttempts: 8,
      /** Time one model turn may spend retrying before it gives up with ProviderUnavailable (DESIGN: ≤ 30 s). */
      maxRetryTimeMs: 30_000,
      /** Exponential backoff with jitter: first delay, cap. */
      initialDelayMs: 250,
      maxDelayMs: 8_000,
      /** The longest Retry-After / retry-after-ms honoured; a longer one is cut to this. */
      retryAfterCapMs: 60_000,
      /** Failed attempts on one candidate before moving to the next of its chain (when there is one). */
      failoverAfterAttempts: 2,
      /** A Retry-After longer than this moves to the next candidate at once (when there is one). */
      failoverIfRetryAfterOverMs: 2_000,
    },
    /**
     * Circuit breaker per provider endpoint: it opens on either condition. Sized so a provider
     * failing one call in five at random (the reliability bench's mix) does not trip it at 200 calls
     * in flight, while a provider that is down trips it within its first ten calls.
     */
    breaker: {
      /** Consecutive availability failures that open the circuit (a region down trips it at once). */
      consecutiveFailures: 10,
      /** Or this share of availability failures among the last `windowSize` calls (at least `minimumCalls`). */
      failureRate: 0.5,
      windowSize: 50,
      minimumCalls: 20,
      /** Cool-down before one probe call is let through (half-open). */
      halfOpenAfterMs: 5_000,
    },
    /** Per model call (one HTTP request), all bounded. */
    timeouts: {
      /** TCP/TLS connect. */
      connectMs: 10_000,
      /** Request sent → response headers. Non-streaming replies send headers only when the turn is done. */
      firstByteMs: 180_000,
      /** Longest silence between two body chunks (streams). */
      idleMs: 60_000,
      /** Whole call, one attempt. */
      callMs: 600_000,
    },
  },
  /**
   * The OS sandbox Bash runs in (bubblewrap, src/sandbox): `auto` and `require` run Bash in it and
   * refuse Bash where it cannot work (macOS, no bubblewrap); `off` (the user's choice alone) never uses it.
   */
  sandbox: {
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
  },
  tools: {
    bashDefaultTimeoutMs: 120_000,
    bashMaxTimeoutMs: 600_000,
    bashOutputLimitBytes: 30_000,
    readDefaultLines: 2_000,
    /** Read refuses files larger than this (streaming keeps memory flat, but paging deep into one would crawl). */
    readMaxFileBytes: 64 * 1024 * 1024,
    resultLimitChars: 50_000,
    webFetchMaxBytes: 10 * 1024 * 1024,
    webFetchTimeoutMs: 30_000,
    webFetchConnectTimeoutMs: 10_000,
    webFetchMaxRedirects: 10,
    webFetchMaxContentChars: 100_000,
  },
  /** WebFetch and WebSearch (tools/web-fetch.ts, tools/web-search.ts). */
  webTools: {
    /** false: WebFetch returns the page's Markdown itself and ignores `prompt` (no extra model call). */
    applyPrompt: true,
    /**
     * The model that applies WebFetch's `prompt`: an alias is taken on the subagent's own provider
     * (a cheap model of the same vendor); `provider:model` names one exactly. A provider with no
     * model for the alias (an OpenAI-compatible server without tiers) uses the subagent's model.
     */
    fetchModel: 'haiku',
    /** Searches the vendor may run for one WebSearch call (Anthropic's `max_uses`). */
    searchMaxUses: 5,
  },
  /** WebFetch's HTML → Markdown worker threads (tools/web/markdown-converter.ts), shared by the process. */
  webConverter: {
    /** At most this many, and one fewer than the CPUs (the engine's own thread keeps one). */
    maxThreads: 2,
    /** Heap of one converter thread: turndown needs about 90 MB per MB of HTML (measured). */
    maxMemoryMb: 1024,
  },
} as const;

/** Environment variables that override the model of every subagent (ours first, Claude Code's honoured too). */
export const SUBAGENT_MODEL_ENV = ['CODEX_TASK_SUBAGENT_MODEL', 'CLAUDE_CODE_SUBAGENT_MODEL'] as const;

/** USD per million tokens. Cache rates default to the input rate when a vendor does not list them. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/**
 * List prices (USD per million tokens, standard tier, short context), keyed by model id; config
 * `prices` (keyed by `provider:model` or model id) overrides them. Only figures read from the vendors'
 * price pages are here: a model missing from this table reports tokens and `costUsd: null`, never
 * a guess. Dated snapshots (`…-20250929`, `…-2025-08-07`) use their base id's price.
 * Sources: platform.claude.com/docs/en/about-claude/pricing and the model overview pages (Anthropic,
 * read 2026); OpenAI's pricing page as quoted in June 2026 (gpt-5.5) and at launch (gpt-5 family);
 * ai.google.dev/gemini-api/docs/pricing (Gemini; not re-read for this table: verify before billing).
 * gpt-5.5-mini, gpt-6.1-sol and gemini-3-flash-lite (alias targets) have no confirmed price yet.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  // Anthropic: cache write = the 5-minute rate (the default TTL).
  'claude-fable-5': { input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 },
  'claude-opus-5': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-8': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-7': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-6': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-5': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-1': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-sonnet-5': { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 },
  'claude-sonnet-4-6': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-sonnet-4-5': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  // OpenAI: cached input is the cache-read rate; there is no cache-write charge.
  'gpt-5.5': { input: 5, output: 30, cacheRead: 0.5, cacheWrite: 5 },
  'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 1.25 },
  'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025, cacheWrite: 0.25 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cacheRead: 0.005, cacheWrite: 0.05 },
  // Google: prompts up to 200k tokens.
  'gemini-3-pro': { input: 2, output: 12, cacheRead: 0.2 },
  'gemini-3-flash': { input: 0.5, output: 3, cacheRead: 0.05 },
  'gemini-2.5-pro': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cacheRead: 0.03 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cacheRead: 0.01 },
};

// ── Permissions (issue 7) ──────────────────────────────────────────────────────────────────────────
/**
 * Secrets no file tool reads, lists or changes and the Bash sandbox hides, whatever the rules say
 * (deny wins). Path specifiers in Claude Code's syntax: `~/x` under home, a name without a slash at
 * any depth below the working directory. `permissions.secretPaths` in the user config replaces the
 * list; `deny` rules extend it.
 */
export const DEFAULT_SECRET_PATHS: readonly string[] = [
  '.env',
  '.env.*',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '~/.ssh',
  '~/.aws',
  '~/.gnupg',
  '~/.netrc',
  '~/.git-credentials',
  '~/.docker/config.json',
  '~/.kube/config',
  '~/.config/gh/hosts.yml',
  '~/.codex/auth.json',
  // Codex's config: `codex-task install codex --embed-env` writes provider keys into it.
  '~/.codex/config.toml',
  '~/.claude/.credentials*',
  // Package registries' publish tokens.
  '~/.npmrc',
  '~/.pypirc',
  '~/.cargo/credentials',
  '~/.cargo/credentials.toml',
  '~/.gem/credentials',
  '~/.m2/settings.xml',
  '~/.m2/settings-security.xml',
  '~/.gradle/gradle.properties',
  '~/.nuget/NuGet/NuGet.Config',
  '~/.config/composer/auth.json',
  '~/.composer/auth.json',
  // Clouds and infrastructure.
  '~/.config/gcloud',
  '~/.azure',
  '~/.oci',
  '~/.terraform.d/credentials.tfrc.json',
  '~/.vault-token',
  '~/.s3cfg',
  '~/.boto',
  '~/.config/rclone',
  '~/.config/doctl',
  '~/.databrickscfg',
  // Databases and git hosts.
  '~/.pgpass',
  '~/.my.cnf',
  '~/.config/hub',
  '~/.config/glab-cli',
  // Model hubs.
  '~/.cache/huggingface/token',
  '~/.huggingface/token',
  '~/.kaggle/kaggle.json',
  // Other coding agents' logins: Gemini CLI (OAuth tokens, its .env), Copilot, Claude Code's
  // ~/.claude.json (`primaryApiKey`, OAuth account).
  '~/.gemini',
  '~/.config/github-copilot',
  '~/.claude.json',
  // More CLIs' tokens: Firebase and other configstore users, Vercel, Netlify, Fly, Wrangler,
  // Pulumi, Supabase, Stripe, podman/buildah registry logins, sops' age keys.
  '~/.config/configstore',
  '~/.local/share/com.vercel.cli',
  '~/.config/netlify',
  '~/.fly',
  '~/.wrangler',
  '~/.config/.wrangler',
  '~/.pulumi/credentials.json',
  '~/.supabase',
  '~/.config/stripe',
  '~/.config/containers/auth.json',
  '~/.config/sops',
  // Password managers and keyrings: GNOME keyring, KWallet, pass, 1Password CLI, Bitwarden CLI.
  '~/.local/share/keyrings',
  '~/.local/share/kwalletd',
  '~/.password-store',
  '~/.config/op',
  '~/.op',
  '~/.config/Bitwarden CLI',
  // Browser and mail profiles (cookies, saved logins): Firefox, Thunderbird, Chrome, Chromium,
  // Brave, Edge, Vivaldi, Opera, and the snap and Flatpak copies.
  '~/.mozilla',
  '~/.thunderbird',
  '~/.config/google-chrome*',
  '~/.config/chromium',
  '~/.config/BraveSoftware',
  '~/.config/microsoft-edge*',
  '~/.config/vivaldi*',
  '~/.config/opera*',
  '~/snap/firefox',
  '~/snap/chromium',
  '~/snap/thunderbird',
  '~/.var/app',
  // Shell and REPL histories: commands typed with a token or password in them (bash, zsh, sh,
  // python, node, psql, mysql, sqlite, redis-cli, irb… all `.*_history`), fish, atuin, less, mongosh.
  '~/.*_history',
  '~/.zhistory',
  '~/.histfile',
  '~/.local/share/fish/fish_history',
  '~/.config/fish/fish_history',
  '~/.local/share/atuin',
  '~/.lesshst',
  '~/.mongosh',
  '~/.dbshell',
  // Our own data: credentials, and run records / audit log / saved outputs holding other tasks' text.
  '~/.codex-task',
];

/** Lefthook's config names (lefthook.dev/configuration): each format, with and without a leading
 * dot, the `-local` override beside each, and the dotless ones under `.config/` too. */
const LEFTHOOK_CONFIGS: readonly string[] = ['lefthook', 'lefthook-local'].flatMap((name) =>
  ['yml', 'yaml', 'toml', 'json', 'jsonc'].flatMap((ext) => [
    `${name}.${ext}`,
    `.${name}.${ext}`,
    `.config/${name}.${ext}`,
  ]),
);

/**
 * Control files a subagent must not write in any permission mode (file-edit tools and Bash
 * redirections; the Bash sandbox mounts them read-only): each one changes what later runs may do —
 * permission rules and agents (`.claude`), our config (`.codex-task`), Codex's own config and MCP
 * servers (`.codex`), MCP servers our client pool starts on the host (`.mcp.json`), and all of
 * `.git` and `.gitmodules`: its config, hooks, `commondir`, alternates, worktrees and submodules
 * decide what the next git call runs. Specifiers as for the secret list, relative to the workspace;
 * a name without a slash matches at any depth, so a nested `.claude/` or `.git` counts too. What
 * they resolve to is protected with them (a symlink's target, the git directory a `.git` file
 * names: src/sandbox/protected-paths.ts). Only an explicit allow rule naming the path (e.g.
 * `Edit(.claude/agents/**)`) lifts it.
 *
 * Git hook managers' files too: the hook git runs (read-only in `.git/hooks` or `core.hooksPath`)
 * is a launcher that reads them on the user's next commit, on the host — husky (v9: `.husky/_/h`
 * runs `.husky/<hook>`), pre-commit (`.pre-commit-config.yaml`; `.pre-commit-hooks.yaml` when the
 * repository is its own hook source), lefthook (its configs, and the scripts in `.lefthook/` and
 * `.lefthook-local/`), overcommit (`.overcommit.yml`, its hook plugins in `.git-hooks/`). Not
 * listed: configs read from `package.json` (husky v4, yorkie, simple-git-hooks), which no list can
 * take from the project, and the project's own commands a hook runs (`npm test`, lint-staged).
 */
export const DEFAULT_PROTECTED_PATHS: readonly string[] = [
  '.claude',
  '.codex-task',
  '.codex',
  '.mcp.json',
  '.git',
  '.gitmodules',
  '.husky',
  '.pre-commit-config.yaml',
  '.pre-commit-hooks.yaml',
  ...LEFTHOOK_CONFIGS,
  '.lefthook',
  '.lefthook-local',
  '.overcommit.yml',
  '.git-hooks',
];

/**
 * Variables a command may set (`X=1 cmd`, `env X=1 cmd`) and still be allowed by a specific Bash
 * allow rule such as `Bash(npm test:*)`. Any other can make the allowed program run other code
 * (`NODE_OPTIONS`, `GIT_EXTERNAL_DIFF`, `npm_config_*`…), so the rule no longer says what runs.
 * These only change locale, colours and log levels. A trailing `*` is a prefix. A plain `Bash`
 * allow rule, or none, does not look at assignments.
 */
export const SAFE_ENV_VARIABLES: readonly string[] = [
  'LANG',
  'LANGUAGE',
  'LC_*',
  'TZ',
  'NO_COLOR',
  'FORCE_COLOR',
  'CI',
  'DEBUG',
  'NODE_ENV',
  'RUST_BACKTRACE',
  'RUST_LOG',
  'PYTHONUNBUFFERED',
  'PYTHONDONTWRITEBYTECODE',
];

/** Names that match the list above but are templates committed without values. */
export const DEFAULT_SECRET_EXCEPTIONS: readonly string[] = [
  '.env.example',
  '.env.sample',
  '.env.template',
  '.env.dist',
];

// ── Observability: run records, logs, audit, HTTP API (issue 6) ───────────────────────────────────
/** Defaults of the store, telemetry and HTTP API; paths under `~` are resolved by their users. */
export const OBSERVABILITY_DEFAULTS = {
  /** Run records (SQLite); `CODEX_TASK_RUNS_DB` or `--db` override, `:memory:` for tests. */
  runsDb: '~/.codex-task/runs.db',
  /** Audit log (JSONL, append-only); `CODEX_TASK_AUDIT_LOG` overrides. */
  auditLog: '~/.codex-task/audit.jsonl',
  store: {
    /** Tool arguments, tool results and turn texts are cut to this many characters in the store. */
    maxFieldChars: 10_000,
    /** Finished tasks older than this are deleted (with their transcripts). */
    retentionDays: 30,
    /** At most this many finished tasks are kept (the oldest go first). */
    retentionMaxTasks: 10_000,
    /** How often a running process marks itself alive; another process's tasks are presumed dead after 5 missed beats. */
    heartbeatMs: 30_000,
    /** Retention runs when the store opens and then this often. */
    pruneIntervalMs: 60 * 60_000,
  },
  logs: {
    level: 'info',
    /** Tool arguments and errors on a log line (and in the audit log) are cut to this many characters. */
    maxFieldChars: 500,
  },
  http: {
    host: '127.0.0.1',
    port: 8790,
    /** Request bodies above this are refused with 413. */
    bodyLimitBytes: 1024 * 1024,
    /** Tasks one POST /v1/tasks may start. */
    maxTasksPerRequest: 100,
    /** An SSE comment this often keeps idle proxies from closing the stream. */
    sseKeepAliveMs: 15_000,
    /** Events kept per task for SSE replay; the oldest progress events are dropped past it. */
    eventsPerTask: 2_000,
    /** Finished tasks whose events stay in memory for replay (older ones replay from the store). */
    finishedTasksKept: 500,
  },
} as const;
// ── end observability ──────────────────────────────────────────────────────────────────────────────

// ── Proxy (issue 8) ────────────────────────────────────────────────────────────────────────────────
/** Defaults of `codex-task proxy` (config `proxy.*`, env `CODEX_TASK_PROXY_*`, flags). */
export const PROXY_DEFAULTS = {
  host: '127.0.0.1',
  port: 10000,
  /** Where requests go; any Responses-API-compatible base URL (config `proxy.upstream`). */
  upstream: 'https://api.openai.com/v1',
  /** The path clients use as their base URL (`http://127.0.0.1:10000/v1`); mapped onto the upstream's path. */
  basePath: '/v1',
  /** Add the Task tool to every POST /responses (config `proxy.injectTask: false` turns it off). */
  injectTask: true,
  /** Codex resends the whole history on every request: bodies of a long session reach megabytes. */
  bodyLimitBytes: 32 * 1024 * 1024,
  /** While subagents run, an event this often keeps Codex's stream idle timeout (default 300 s) from firing. */
  keepAliveMs: 5_000,
  /** Open connections to the upstream (one keep-alive pool). */
  upstreamConnections: 128,
  /** Upstream connect bound, and the longest silence before headers or between body chunks. */
  upstreamConnectTimeoutMs: 10_000,
  upstreamIdleTimeoutMs: 300_000,
  /** Header a client sends the proxy token in (Authorization carries the upstream's key, untouched). */
  tokenHeader: 'x-codex-task-token',
} as const;
// ── end proxy ──────────────────────────────────────────────────────────────────────────────────────
