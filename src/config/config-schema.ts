import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Zod from 'zod';
import { DEFAULTS } from './defaults.ts';

const ALIASES = ['haiku', 'sonnet', 'opus', 'fable'] as const;
const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk'] as const;

/** The schemas of what config reads: config files (and env, flags), durations, stored credentials. */
function buildSchemas(z: typeof Zod.z) {
  /** `90000`, `"90s"`, `"5m"`, `"1h"` → milliseconds. */
  const durationMs = z.union(
    [
      z.int().positive(),
      z
        .string()
        .regex(/^\d+(\.\d+)?\s*(ms|s|m|h)$/, 'a duration like 90000, "90s", "5m" or "1h"')
        .transform((text) => {
          const [, value, unit] = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(text)!;
          const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
          return Math.round(Number(value) * scale);
        }),
    ],
    'a duration like 90000, "90s", "5m" or "1h"',
  );

  const providerSchema = z.strictObject({
    kind: z.enum(['anthropic', 'openai', 'google', 'openai-compatible']),
    baseURL: z.url().optional(),
    /** Name of the env var holding the key (never the key itself: keys live in env or `codex-task login`). */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name like MY_API_KEY')
      .optional(),
    api: z.enum(['responses', 'chat']).optional(),
    tiers: z.partialRecord(z.enum(ALIASES), z.string().min(1)).optional(),
    /** Calls over budget wait in a queue rather than fail. */
    rateLimit: z
      .strictObject({
        requestsPerMinute: z.number().positive().optional(),
        tokensPerMinute: z.number().positive().optional(),
        burst: z.number().positive().optional(),
      })
      .optional(),
  });

  /** `{ retry: {…}, breaker: {…}, timeouts: {…} }`, each key one of DEFAULTS.resilience's, a non-negative number. */
  function numbersLike(group: Record<string, number>) {
    return z
      .strictObject(
        Object.fromEntries(Object.keys(group).map((key) => [key, z.number().nonnegative().optional()])),
      )
      .optional();
  }
  const resilienceSchema = z.strictObject({
    retry: numbersLike(DEFAULTS.resilience.retry),
    breaker: numbersLike(DEFAULTS.resilience.breaker),
    timeouts: numbersLike(DEFAULTS.resilience.timeouts),
  });

  const priceSchema = z.strictObject({
    /** USD per million tokens. */
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cacheRead: z.number().nonnegative().optional(),
    cacheWrite: z.number().nonnegative().optional(),
  });

  const ruleList = z.array(z.string()).optional();

  /**
   * Permission rules in Claude Code's syntax (checked by tools/policy, which names the bad rule), over
   * the rules of `.claude/settings*.json`. The keys that widen access count only in the user's own
   * config, never in a project's: see project-keys.ts.
   */
  const permissionsSchema = z.strictObject({
    allow: ruleList,
    deny: ruleList,
    ask: ruleList,
    /** Mode for agents whose file has no `permissionMode`. */
    defaultMode: z.enum(PERMISSION_MODES).optional(),
    /** Lets `permissionMode: bypassPermissions` take effect (agent files alone cannot grant it). */
    allowBypassPermissions: z.boolean().optional(),
    /** Network for Bash inside the OS sandbox (off by default). */
    bashNetwork: z.boolean().optional(),
    /** Replaces DEFAULT_SECRET_PATHS. */
    secretPaths: z.array(z.string().min(1)).optional(),
    /** Replaces DEFAULT_SECRET_EXCEPTIONS. */
    secretExceptions: z.array(z.string().min(1)).optional(),
    /** Read `.claude/settings.json`, `.claude/settings.local.json` and `~/.claude/settings.json` (default true). */
    claudeSettings: z.boolean().optional(),
  });

  /** One config file (`.codex-task/config.json`, project or user). Every key is optional. */
  const configFile = z.strictObject({
    $schema: z.string().optional(),
    concurrency: z.int().min(1).max(10_000).optional(),
    taskTimeout: durationMs.optional(),
    maxTurns: z.int().min(1).max(10_000).optional(),
    maxSpawnDepth: z.int().min(1).max(10).optional(),
    /** A subagent's output is cut to this many characters before its caller sees it (the original is saved). */
    outputMaxChars: z.int().min(1_000).optional(),
    /** The model `inherit` means for the library and CLI (which have no parent model). */
    model: z.string().min(1).optional(),
    providers: z
      .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lowercase provider name'), providerSchema)
      .optional(),
    /** Model alias or id → ordered `provider:model` candidates to fail over to. */
    failover: z.record(z.string(), z.array(z.string().min(1)).min(1)).optional(),
    /** Tasks one engine (a CLI run, an MCP or proxy session) may start, nested ones included. */
    maxTasks: z.int().positive().optional(),
    /** USD one engine may spend on priced models. */
    maxCostUsd: z.number().positive().optional(),
    resilience: resilienceSchema.optional(),
    /** `provider:model` or model id → prices, overriding the shipped table. */
    prices: z.record(z.string(), priceSchema).optional(),
    permissions: permissionsSchema.optional(),
    /** WebFetch: `applyPrompt: false` returns pages as Markdown without a model call; `model` applies the prompt. */
    webFetch: z
      .strictObject({
        applyPrompt: z.boolean().optional(),
        /** An alias (taken on the subagent's own provider) or `provider:model`. */
        model: z.string().min(1).optional(),
        maxBytes: z.int().positive().optional(),
        timeout: durationMs.optional(),
        /** Connecting alone (DNS, TCP, TLS) to each host of a fetch. */
        connectTimeout: durationMs.optional(),
        /** Redirects followed at most; 0 follows none. */
        maxRedirects: z
          .int('a whole number of redirects')
          .min(0, 'at least 0 (0 follows none)')
          .max(50, 'at most 50 redirects')
          .optional(),
      })
      .optional(),
    /** WebSearch: `maxUses` = searches the vendor may run for one call (Anthropic's `max_uses`). */
    webSearch: z
      .strictObject({
        maxUses: z
          .int('a whole number of searches')
          .min(1, 'at least 1 search')
          .max(50, 'at most 50 searches')
          .optional(),
      })
      .optional(),
    /** The OS sandbox for Bash (bubblewrap): `auto` (default), `require` or `off`. */
    sandbox: z.strictObject({ mode: z.enum(['auto', 'require', 'off']).optional() }).optional(),
    proxy: z
      .strictObject({
        port: z.int().min(1).max(65_535).optional(),
        host: z.string().min(1).optional(),
        upstream: z.url().optional(),
        /** Upstream base URLs the proxy may be pointed at (by flag or env); unset = whatever config says. */
        allowedUpstreams: z.array(z.url()).min(1).optional(),
        /** Add the Task tool to Responses requests (default true). */
        injectTask: z.boolean().optional(),
        /** Largest request body accepted, in bytes. */
        bodyLimitBytes: z.int().positive().optional(),
        /** How often a keep-alive event is sent while subagents run (below Codex's stream_idle_timeout_ms). */
        keepAlive: durationMs.optional(),
      })
      .optional(),
  });

  const credentials = z.record(z.string(), z.strictObject({ apiKey: z.string().min(1) }));

  return { configFile, durationMs, credentials };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

/**
 * The lazy boundary of config: importing zod costs ~100 ms, more than the rest of
 * `codex-task agents list`, and most runs have no config file, env setting or stored key to check.
 * So zod is loaded on the first value to validate: synchronously (loadConfig is sync) and from its
 * ES module, the very instance `import 'zod'` gives elsewhere (`require('zod')` would load a second
 * copy, its CommonJS build).
 */
export function configSchemas(): Schemas {
  schemas ??= buildSchemas(
    (createRequire(import.meta.url)(fileURLToPath(import.meta.resolve('zod'))) as typeof Zod).z,
  );
  return schemas;
}

export type ConfigFile = Zod.output<Schemas['configFile']>;
export type PermissionsConfig = NonNullable<ConfigFile['permissions']>;
/** Config as written (durations may be strings like "90s"). */
export type ConfigInput = Zod.input<Schemas['configFile']>;
export type Credentials = Zod.output<Schemas['credentials']>;
