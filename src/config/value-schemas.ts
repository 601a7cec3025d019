import { ROUTING_TIERS, ROUTING_TOOL_ACCESS } from './defaults/model-routing.ts';
import type { Z } from './setting.ts';

const ALIASES = ['haiku', 'sonnet', 'opus', 'fable'] as const;
export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk'] as const;

/** `90000`, `"90s"`, `"5m"`, `"1h"` → milliseconds. */
export function durationMs(z: Z) {
  return z.union(
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
}

/** Calls over budget wait in a queue rather than fail. */
export function rateLimitSchema(z: Z) {
  return z.strictObject({
    requestsPerMinute: z.number().positive().optional(),
    tokensPerMinute: z.number().positive().optional(),
    burst: z.number().positive().optional(),
    /** Ceiling of the adaptive limit on calls in flight; `minConcurrency` its floor (equal: fixed). */
    maxConcurrency: z.int().min(1).optional(),
    minConcurrency: z.int().min(1).optional(),
  });
}

export function providerSchema(z: Z) {
  return z.strictObject({
    kind: z.enum(['anthropic', 'openai', 'google', 'openai-compatible']),
    baseURL: z.url().optional(),
    /** Name of the env var holding the key (never the key itself: keys live in env or `codex-task login`). */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name like MY_API_KEY')
      .optional(),
    api: z.enum(['responses', 'chat']).optional(),
    tiers: z.partialRecord(z.enum(ALIASES), z.string().min(1)).optional(),
    rateLimit: rateLimitSchema(z).optional(),
  });
}

/** USD per million tokens. */
export function priceSchema(z: Z) {
  return z.strictObject({
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cacheRead: z.number().nonnegative().optional(),
    cacheWrite: z.number().nonnegative().optional(),
  });
}

/** Permission rules in Claude Code's syntax, checked by tools/policy (which names the bad rule). */
export function ruleList(z: Z) {
  return z.array(z.string());
}

/** `modelRouting.rules`: each rule a tier and the conditions (all must hold) under which it runs. */
export function routingRuleList(z: Z) {
  const words = z.array(z.string().trim().min(1)).min(1);
  const chars = z.int().nonnegative();
  return z.array(
    z.strictObject({
      name: z.string().trim().min(1).optional(),
      model: z.enum(ROUTING_TIERS),
      agents: words.optional(),
      tools: z.enum(ROUTING_TOOL_ACCESS).optional(),
      minPromptChars: chars.optional(),
      maxPromptChars: chars.optional(),
      keywords: words.optional(),
      agentKeywords: words.optional(),
    }),
  );
}
