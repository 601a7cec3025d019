import {
  DEFAULT_PRICES,
  DEFAULT_SECRET_EXCEPTIONS,
  DEFAULT_SECRET_PATHS,
  ENGINE_DEFAULTS,
  PROXY_DEFAULTS,
  RESILIENCE_DEFAULTS,
  SANDBOX_DEFAULTS,
  TOOL_DEFAULTS,
  WEB_TOOL_DEFAULTS,
} from './defaults/index.ts';
import { MODEL_ROUTING_DEFAULTS, ROUTING_TIERS } from './defaults/model-routing.ts';
import { QUEUE_DEFAULTS } from './defaults/queue.ts';
import { REDIS_URL_KINDS, REDIS_URL_PATTERN } from './redis-url.ts';
import { type OptionsOf, type Setting, setting, type ValuesOf, type Z } from './setting.ts';
import {
  durationMs,
  PERMISSION_MODES,
  priceSchema,
  providerSchema,
  rateLimitSchema,
  routingRuleList,
  ruleList,
} from './value-schemas.ts';

/**
 * Every setting, declared once, as the engine takes it (TaskEngineOptions' names). Its `config` key
 * is where config files write it (and `env` the variable that sets it); one without is set in code
 * only. The values live in config/defaults/; the engine's option types (OptionsOf), the config
 * file's schema and type (config-schema.ts), the variables (env-vars.ts) and what the engine runs
 * with (resolveEngineSettings) all come from this table.
 */
export const ENGINE_SETTINGS = {
  concurrency: setting({
    schema: (z) => z.int().min(1).max(10_000),
    default: ENGINE_DEFAULTS.concurrency,
    config: 'concurrency',
    env: { name: 'CODEX_TASK_CONCURRENCY', accepts: 'a whole number ≥ 1', example: '5' },
    doc: 'Tasks running at once.',
  }),
  taskTimeoutMs: setting({
    schema: durationMs,
    default: ENGINE_DEFAULTS.taskTimeoutMs,
    config: 'taskTimeout',
    env: {
      name: 'CODEX_TASK_TIMEOUT',
      accepts: 'a duration: milliseconds, or a number with ms, s, m or h',
      example: '90s',
    },
    doc: 'Timeout of each task, from its start to its result.',
  }),
  maxTurns: setting({
    schema: (z) => z.int().min(1).max(10_000),
    default: ENGINE_DEFAULTS.maxTurns,
    config: 'maxTurns',
    env: { name: 'CODEX_TASK_MAX_TURNS', accepts: 'a whole number ≥ 1', example: '30' },
    doc: 'Model turns a subagent may take.',
  }),
  maxSpawnDepth: setting({
    schema: (z) => z.int().min(1).max(10),
    default: ENGINE_DEFAULTS.maxSpawnDepth,
    config: 'maxSpawnDepth',
    env: { name: 'CODEX_TASK_MAX_SPAWN_DEPTH', accepts: 'a whole number from 1 to 10', example: '2' },
    doc: 'How deep subagents may nest (1 = no nesting).',
  }),
  callerModel: setting({
    schema: (z) => z.string().min(1),
    default: ENGINE_DEFAULTS.callerModel,
    config: 'model',
    env: {
      name: 'CODEX_TASK_MODEL',
      accepts: 'an alias (sonnet), a model id or provider:model',
      example: 'openai:gpt-5.5',
    },
    doc: 'The model `inherit` means for the library and CLI (they have no parent model).',
  }),
  maxTasks: setting({
    schema: (z) => z.int().positive(),
    default: ENGINE_DEFAULTS.maxTasks,
    config: 'maxTasks',
    env: { name: 'CODEX_TASK_MAX_TASKS', accepts: 'a whole number ≥ 1', example: '20' },
    doc: 'Tasks one engine (a CLI run, an MCP or proxy session) may start, nested ones included.',
  }),
  maxBackgroundTasks: setting({
    schema: (z) => z.int().positive(),
    default: ENGINE_DEFAULTS.maxBackgroundTasks,
    config: 'background.maxRunning',
    doc: 'Background tasks (run_in_background) one engine may run at once; more are refused.',
  }),
  maxBackgroundUnread: setting({
    schema: (z) => z.int().positive(),
    default: ENGINE_DEFAULTS.maxBackgroundUnread,
    config: 'background.maxUnread',
    doc: 'Finished background tasks whose result nobody has read yet; past it new ones are refused.',
  }),
  maxCostUsd: setting({
    schema: (z) => z.number().positive(),
    default: ENGINE_DEFAULTS.maxCostUsd,
    config: 'maxCostUsd',
    env: { name: 'CODEX_TASK_MAX_COST_USD', accepts: 'a number of US dollars > 0', example: '2.5' },
    doc: 'USD one engine may spend on priced models.',
  }),
  // Read by the runtime, not the engine: with a URL, root tasks go to `codex-task worker`s (queue/).
  queue: {
    url: setting({
      schema: (z) => z.string().regex(REDIS_URL_PATTERN, REDIS_URL_KINDS).optional(),
      default: undefined,
      config: 'queue.url',
      env: {
        name: 'CODEX_TASK_REDIS_URL',
        accepts: REDIS_URL_KINDS,
        example: 'redis://:password@redis.internal:6379/0',
      },
      doc: 'The Redis of the task queue: tasks run on `codex-task worker` processes (docs/scaling-out.md). Unset: in this process, no Redis.',
    }),
    prefix: setting({
      schema: (z) => z.string().min(1),
      default: QUEUE_DEFAULTS.prefix,
      config: 'queue.prefix',
      env: { name: 'CODEX_TASK_QUEUE_PREFIX', accepts: 'a key prefix', example: '{codex-task-ci}' },
      doc: "Prefix of the queue's Redis keys; keep it in {braces} for Redis Cluster.",
    }),
    stallTimeoutMs: setting({
      schema: durationMs,
      default: QUEUE_DEFAULTS.stallTimeoutMs,
      config: 'queue.stallTimeout',
      env: { name: 'CODEX_TASK_QUEUE_STALL_TIMEOUT', accepts: 'a duration: ms, or 2s', example: '5s' },
      doc: 'How long a worker that stopped answering keeps its tasks before they run again on another.',
    }),
    attempts: setting({
      schema: (z) => z.int().min(1).max(100),
      default: QUEUE_DEFAULTS.attempts,
      config: 'queue.attempts',
      env: { name: 'CODEX_TASK_QUEUE_ATTEMPTS', accepts: 'a whole number from 1 to 100', example: '3' },
      doc: 'Runs of one queued task at most (the first and re-runs after a worker died).',
    }),
    workspace: setting({
      schema: (z) => z.enum(['path', 'git']),
      default: QUEUE_DEFAULTS.workspace,
      config: 'queue.workspace',
      env: { name: 'CODEX_TASK_QUEUE_WORKSPACE', accepts: 'path or git', example: 'git' },
      doc: "How a queued task's files reach its worker: `path`, the task's directory, which every worker must see at the same path; `git`, the checkout's remote and HEAD commit, checked out fresh by the worker, its changes returned as a patch.",
    }),
    gitRemote: setting({
      schema: (z) => z.string().min(1),
      default: QUEUE_DEFAULTS.gitRemote,
      config: 'queue.gitRemote',
      env: { name: 'CODEX_TASK_QUEUE_GIT_REMOTE', accepts: 'a git remote name', example: 'upstream' },
      doc: 'With `queue.workspace: git`: the remote of the checkout whose URL workers fetch from (HEAD must be pushed there).',
    }),
    gitPush: setting({
      schema: (z) => z.boolean(),
      default: QUEUE_DEFAULTS.gitPush,
      config: 'queue.gitPush',
      env: { name: 'CODEX_TASK_QUEUE_GIT_PUSH', accepts: 'true or false (1 or 0)', example: 'true' },
      doc: "With `queue.workspace: git`: workers also push a task's changes to the remote as the branch `codex-task/<taskId>`.",
    }),
    allowPaths: setting({
      schema: (z) => z.array(z.string().min(1)).optional(),
      default: undefined,
      config: 'queue.allowPaths',
      doc: "A worker's: the directories a task's path workspace (a client's `cwd`) may be in, besides `--allow-path`. Unset: the worker's working directory, unless that is `/` or the home directory (then none).",
    }),
  },
  outputMaxChars: setting({
    schema: (z) => z.int().min(1_000),
    default: ENGINE_DEFAULTS.outputMaxChars,
    config: 'outputMaxChars',
    env: { name: 'CODEX_TASK_OUTPUT_MAX_CHARS', accepts: 'a whole number ≥ 1000', example: '40000' },
    doc: "A subagent's output is cut to this many characters for its caller (the original is saved).",
  }),
  sandbox: {
    mode: setting({
      schema: (z) => z.enum(['auto', 'require', 'off']),
      default: SANDBOX_DEFAULTS.mode,
      config: 'sandbox.mode',
      env: { name: 'CODEX_TASK_SANDBOX', accepts: 'auto, require or off', example: 'require' },
      doc: 'The OS sandbox for Bash (bubblewrap): auto, require or off.',
    }),
  },
  webTools: {
    applyPrompt: setting({
      schema: (z) => z.boolean(),
      default: WEB_TOOL_DEFAULTS.applyPrompt,
      config: 'webFetch.applyPrompt',
      doc: 'WebFetch: false returns pages as Markdown without a model call (the prompt is ignored).',
    }),
    fetchModel: setting({
      schema: (z) => z.string().min(1),
      default: WEB_TOOL_DEFAULTS.fetchModel,
      config: 'webFetch.model',
      doc: "WebFetch: the model that applies the prompt, an alias (on the subagent's own provider) or provider:model.",
    }),
    searchMaxUses: setting({
      schema: (z) =>
        z.int('a whole number of searches').min(1, 'at least 1 search').max(50, 'at most 50 searches'),
      default: WEB_TOOL_DEFAULTS.searchMaxUses,
      config: 'webSearch.maxUses',
      doc: "WebSearch: searches the vendor may run for one call (Anthropic's max_uses).",
    }),
  },
  toolLimits: {
    bashDefaultTimeoutMs: codeOnly(
      TOOL_DEFAULTS.bashDefaultTimeoutMs,
      'Bash: timeout when the call gives none.',
    ),
    bashMaxTimeoutMs: codeOnly(
      TOOL_DEFAULTS.bashMaxTimeoutMs,
      'Bash: the longest timeout a call may ask for.',
    ),
    bashOutputLimitBytes: codeOnly(TOOL_DEFAULTS.bashOutputLimitBytes, 'Bash: bytes of output kept.'),
    readDefaultLines: codeOnly(
      TOOL_DEFAULTS.readDefaultLines,
      'Read: lines returned when no limit is given.',
    ),
    readMaxFileBytes: codeOnly(TOOL_DEFAULTS.readMaxFileBytes, 'Read: files over this size are refused.'),
    resultLimitChars: codeOnly(
      TOOL_DEFAULTS.resultLimitChars,
      'Characters of one tool result given to the model.',
    ),
    webFetchMaxBytes: setting({
      schema: (z) => z.int().positive(),
      default: TOOL_DEFAULTS.webFetchMaxBytes,
      config: 'webFetch.maxBytes',
      doc: 'WebFetch: body bytes read at most (the rest is never downloaded).',
    }),
    webFetchTimeoutMs: setting({
      schema: durationMs,
      default: TOOL_DEFAULTS.webFetchTimeoutMs,
      config: 'webFetch.timeout',
      doc: 'WebFetch: the whole fetch, redirects included.',
    }),
    webFetchConnectTimeoutMs: setting({
      schema: durationMs,
      default: TOOL_DEFAULTS.webFetchConnectTimeoutMs,
      config: 'webFetch.connectTimeout',
      doc: 'WebFetch: connecting alone (DNS, TCP, TLS) to each host of a fetch.',
    }),
    webFetchMaxRedirects: setting({
      schema: (z) =>
        z
          .int('a whole number of redirects')
          .min(0, 'at least 0 (0 follows none)')
          .max(50, 'at most 50 redirects'),
      default: TOOL_DEFAULTS.webFetchMaxRedirects,
      config: 'webFetch.maxRedirects',
      doc: 'WebFetch: redirects followed at most; 0 follows none.',
    }),
    webFetchMaxContentChars: codeOnly(
      TOOL_DEFAULTS.webFetchMaxContentChars,
      'WebFetch: Markdown characters given to the fast model (or returned raw).',
    ),
  },
  resilience: {
    retry: nonNegativeNumbers(RESILIENCE_DEFAULTS.retry, 'resilience.retry'),
    breaker: nonNegativeNumbers(RESILIENCE_DEFAULTS.breaker, 'resilience.breaker'),
    timeouts: nonNegativeNumbers(RESILIENCE_DEFAULTS.timeouts, 'resilience.timeouts'),
  },
  prices: setting({
    schema: (z) => z.record(z.string(), priceSchema(z)),
    default: DEFAULT_PRICES,
    config: 'prices',
    merge: 'entries',
    doc: '`provider:model` or model id → prices (USD per million tokens), over the shipped table.',
  }),
  failover: setting({
    // Readonly: callers pass chains declared `as const`.
    schema: (z) => z.record(z.string(), z.array(z.string().min(1)).min(1).readonly()),
    default: {},
    config: 'failover',
    merge: 'entries',
    doc: 'Model alias or id → ordered `provider:model` candidates to fail over to on availability errors.',
  }),
  rateLimits: setting({
    schema: (z) => z.record(z.string(), rateLimitSchema(z)),
    default: {},
    merge: 'entries',
    doc: 'Provider id → requests and tokens per minute (calls over budget wait); config sets them per provider.',
  }),
  /** `model: auto` (docs/model-routing.md). */
  modelRouting: {
    rules: setting({
      schema: routingRuleList,
      default: [],
      config: 'modelRouting.rules',
      doc: '`model: auto`: rules tried in order before the built-in ones; the first that matches picks haiku, sonnet or opus.',
    }),
    default: setting({
      schema: (z) => z.enum(ROUTING_TIERS),
      default: MODEL_ROUTING_DEFAULTS.default,
      config: 'modelRouting.default',
      doc: '`model: auto`: the tier when no rule matches.',
    }),
    escalation: setting({
      schema: (z) => z.boolean(),
      default: MODEL_ROUTING_DEFAULTS.escalation,
      config: 'modelRouting.escalation',
      doc: '`model: auto`: a run that fails on haiku or sonnet is re-run once on the next tier.',
    }),
    builtinRules: setting({
      schema: (z) => z.boolean(),
      default: MODEL_ROUTING_DEFAULTS.builtinRules,
      config: 'modelRouting.builtinRules',
      doc: '`model: auto`: false leaves only your rules (then the default) to decide.',
    }),
  },
  /**
   * Rules over those of `.claude/settings*.json`. The keys that widen access count only in the
   * user's own config, never in a project's: see project-keys.ts.
   */
  permissions: {
    allow: rules('allow'),
    deny: rules('deny'),
    ask: rules('ask'),
    defaultMode: setting({
      schema: (z) => z.enum(PERMISSION_MODES).optional(),
      // Unset: the mode of Claude Code's settings files, else `default`.
      default: undefined,
      config: 'permissions.defaultMode',
      doc: 'Permission mode of agents whose file has no permissionMode.',
    }),
    allowBypassPermissions: setting({
      schema: (z) => z.boolean(),
      default: false,
      config: 'permissions.allowBypassPermissions',
      doc: 'Lets `permissionMode: bypassPermissions` take effect (agent files alone cannot grant it).',
    }),
    bashNetwork: setting({
      schema: (z) => z.boolean(),
      default: false,
      config: 'permissions.bashNetwork',
      doc: 'Network for Bash inside the OS sandbox.',
    }),
    secretPaths: setting({
      schema: (z) => z.array(z.string().min(1)),
      default: [...DEFAULT_SECRET_PATHS],
      config: 'permissions.secretPaths',
      doc: 'Paths no tool reads or changes and the sandbox hides; replaces the built-in list (deny rules extend it).',
    }),
    secretExceptions: setting({
      schema: (z) => z.array(z.string().min(1)),
      default: [...DEFAULT_SECRET_EXCEPTIONS],
      config: 'permissions.secretExceptions',
      doc: 'Names on the secret list that are templates committed without values (.env.example).',
    }),
    claudeSettings: setting({
      schema: (z) => z.boolean(),
      default: true,
      config: 'permissions.claudeSettings',
      doc: 'Read `.claude/settings.json`, `.claude/settings.local.json` and `~/.claude/settings.json`.',
    }),
  },
} as const;

/** What the engine runs with: every setting with its value (resolveEngineSettings fills the defaults). */
export type EngineSettings = ValuesOf<typeof ENGINE_SETTINGS>;
/** What a caller may pass: each setting optional, at every depth (TaskEngineOptions has them all). */
export type EngineSettingOptions = OptionsOf<typeof ENGINE_SETTINGS>;

/** `codex-task proxy`'s settings (flags override them: see proxy-server.ts). */
export const PROXY_SETTINGS = {
  port: setting({
    schema: (z) => z.int().min(1).max(65_535),
    default: PROXY_DEFAULTS.port,
    config: 'proxy.port',
    env: { name: 'CODEX_TASK_PROXY_PORT', accepts: 'a port number from 1 to 65535', example: '10000' },
    doc: '`codex-task proxy` port.',
  }),
  host: setting({
    schema: (z) => z.string().min(1),
    default: PROXY_DEFAULTS.host,
    config: 'proxy.host',
    env: { name: 'CODEX_TASK_PROXY_HOST', accepts: 'an interface address', example: '127.0.0.1' },
    doc: '`codex-task proxy` interface.',
  }),
  upstream: setting({
    schema: (z) => z.url(),
    default: PROXY_DEFAULTS.upstream,
    config: 'proxy.upstream',
    env: { name: 'CODEX_TASK_PROXY_UPSTREAM', accepts: 'a URL', example: 'https://api.openai.com/v1' },
    doc: '`codex-task proxy` upstream Responses API base URL.',
  }),
  injectTask: setting({
    schema: (z) => z.boolean(),
    default: PROXY_DEFAULTS.injectTask,
    config: 'proxy.injectTask',
    env: { name: 'CODEX_TASK_PROXY_INJECT_TASK', accepts: 'true or false (1 or 0)', example: 'false' },
    doc: 'Whether `codex-task proxy` adds the Task tool to Responses requests.',
  }),
  allowedUpstreams: setting({
    schema: (z) => z.array(z.url()).min(1).optional(),
    // Unset: whatever config says.
    default: undefined,
    config: 'proxy.allowedUpstreams',
    doc: 'Upstream base URLs the proxy may be pointed at (by flag or env).',
  }),
  bodyLimitBytes: setting({
    schema: (z) => z.int().positive(),
    default: PROXY_DEFAULTS.bodyLimitBytes,
    config: 'proxy.bodyLimitBytes',
    doc: 'Largest request body the proxy accepts, in bytes.',
  }),
  keepAliveMs: setting({
    schema: durationMs,
    default: PROXY_DEFAULTS.keepAliveMs,
    config: 'proxy.keepAlive',
    doc: "How often a keep-alive event is sent while subagents run (below Codex's stream_idle_timeout_ms).",
  }),
} as const;

/** Providers in config (base URLs, key variable names, tiers); effectiveProviders adds env and stored keys. */
export const PROVIDER_SETTINGS = {
  providers: setting({
    schema: (z) =>
      z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lowercase provider name'), providerSchema(z)),
    default: {},
    config: 'providers',
    merge: 'entries',
    doc: 'Provider id → kind, baseURL, apiKeyEnv, api, tiers and rateLimit.',
  }),
} as const;

/** Every setting a config file may hold. */
export const CONFIG_SETTINGS = {
  engine: ENGINE_SETTINGS,
  proxy: PROXY_SETTINGS,
  ...PROVIDER_SETTINGS,
} as const;

/** A tunable set in code only (no config key, no variable): a whole non-negative number. */
function codeOnly(value: number, doc: string) {
  return setting({ schema: (z) => z.int().nonnegative(), default: value, doc });
}

function rules<Kind extends 'allow' | 'deny' | 'ask'>(kind: Kind) {
  return setting({
    schema: ruleList,
    default: [],
    config: `permissions.${kind}`,
    merge: 'rules',
    doc: `Permission rules in Claude Code's syntax (${kind}); every level's add up.`,
  });
}

/** `resilience.retry` and its kin: each key of the defaults' group, a non-negative number. */
function nonNegativeNumbers<Group extends Record<string, number>, Prefix extends string>(
  group: Group,
  prefix: Prefix,
): { [K in keyof Group & string]: Setting<ReturnType<Z['number']>, `${Prefix}.${K}`> } {
  return Object.fromEntries(
    Object.entries(group).map(([key, value]) => [
      key,
      setting({
        schema: (z) => z.number().nonnegative(),
        default: value,
        config: `${prefix}.${key}`,
        doc: `See RESILIENCE_DEFAULTS.${prefix.split('.')[1]}.${key} (src/config/defaults/resilience.ts).`,
      }),
    ]),
  ) as { [K in keyof Group & string]: Setting<ReturnType<Z['number']>, `${Prefix}.${K}`> };
}
