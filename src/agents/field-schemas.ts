import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Zod from 'zod';
import type { PermissionMode } from './types.ts';

/** Claude Code's frontmatter fields that we act on. */
export const CORE_FIELDS = [
  'name',
  'description',
  'tools',
  'disallowedTools',
  'model',
  'permissionMode',
  'maxTurns',
] as const;

/**
 * Claude Code's fields we keep (in `accepted`); validation says we do not act on them yet, except
 * `mcpServers` (the MCP client pool) and `isolation: worktree` (the engine), which are read from there.
 */
export const ACCEPTED_FIELDS = [
  'skills',
  'mcpServers',
  'hooks',
  'memory',
  'background',
  'effort',
  'isolation',
  'color',
  'initialPrompt',
] as const;

/** codex-task's own fields. */
export const EXTENSION_FIELDS = ['temperature', 'max_tokens', 'timeout', 'failover'] as const;

export const KNOWN_FIELDS: readonly string[] = [...CORE_FIELDS, ...ACCEPTED_FIELDS, ...EXTENSION_FIELDS];

export const PERMISSION_MODES: readonly PermissionMode[] = [
  'default',
  'acceptEdits',
  'plan',
  'bypassPermissions',
  'dontAsk',
];

/** Claude Code's aliases, plus `auto`: codex-task picks the tier per task (docs/model-routing.md). */
export const MODEL_ALIASES = ['sonnet', 'opus', 'haiku', 'fable', 'inherit', 'auto'] as const;

/**
 * Lowercase letters, digits and hyphens, as Claude Code documents for agent files, and dots, which
 * Claude Code loads and public collections use (`dotnet-framework-4.8-expert`). Other names load
 * with a warning (Claude Code loads them too); see `ONE_LINE_NAME`.
 */
export const FILE_AGENT_NAME = /^[a-z0-9][a-z0-9.-]*$/;
/** Agents given in code may be named like the built-ins (`Explore`), but stay one plain word. */
export const CODE_AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** What any agent name must be: one line, no control characters (it is shown in lists and messages). */
export const ONE_LINE_NAME = /^[^\p{Cc}\u2028\u2029]+$/u;

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s` → 90000, `5m` → 300000, `1500` or `1500ms` → 1500; anything else → NaN. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) return Number.NaN;
  return Math.round(Number.parseFloat(m[1]!) * UNIT_MS[m[2] ?? 'ms']!);
}

type Z = typeof Zod.z;
const positiveInt = (z: Z) => z.number().int().positive();
const text = (z: Z) => z.string().trim().min(1);

/**
 * One field: the zod schema that defines it, what to tell a person whose value fails it, and a
 * plain-JS check for the common valid case. Loading hundreds of agents in a cold process is the
 * hot path here, and zod costs ~15 µs per object even once warm (measured: 500 agents, ~7 ms),
 * so values that `fast` accepts skip zod; everything else goes through the schema. `fast` may only
 * accept what the schema accepts and returns unchanged (a test holds the two together).
 */
export interface FieldRule {
  /** Builds the schema from zod; see `fieldSchema`, which builds each one once, on first use. */
  schema: (z: Z) => Zod.ZodType;
  fast: (value: unknown) => boolean;
  expected: string;
  hint: string;
}

const isTrimmedText = (v: unknown): boolean =>
  typeof v === 'string' && v.length > 0 && v.charCodeAt(0) > 32 && v.charCodeAt(v.length - 1) > 32;
const isPositiveInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;
const isToolList = (v: unknown): boolean =>
  typeof v === 'string' || (Array.isArray(v) && v.every((item) => typeof item === 'string'));

const TOOL_LIST: FieldRule = {
  schema: (z) => z.union([z.string(), z.array(z.string())]),
  fast: isToolList,
  expected: 'a comma-separated string or a list of tool names',
  hint: 'e.g. `tools: Read, Grep, Glob` or `tools: [Read, Grep, Glob]`.',
};

export const FIELD_RULES: Record<string, FieldRule> = {
  name: { schema: text, fast: isTrimmedText, expected: 'text', hint: 'Quote it: `name: "…"`.' },
  description: { schema: text, fast: isTrimmedText, expected: 'text', hint: 'Quote it: `description: "…"`.' },
  tools: TOOL_LIST,
  disallowedTools: { ...TOOL_LIST, hint: 'e.g. `disallowedTools: Bash, Write`.' },
  model: {
    schema: text,
    fast: isTrimmedText,
    expected: 'a model alias (sonnet, opus, haiku, fable, inherit, auto) or a full model id',
    hint: 'e.g. `model: sonnet`, or remove the line to use the caller’s model.',
  },
  permissionMode: {
    schema: (z) => z.enum(PERMISSION_MODES as [PermissionMode, ...PermissionMode[]]),
    fast: (v) => PERMISSION_MODES.includes(v as PermissionMode),
    expected: `one of ${PERMISSION_MODES.join(', ')}`,
    hint: 'e.g. `permissionMode: default`.',
  },
  maxTurns: {
    schema: positiveInt,
    fast: isPositiveInt,
    expected: 'a positive whole number',
    hint: 'e.g. `maxTurns: 20`.',
  },
  temperature: {
    schema: (z) => z.number().min(0).max(2),
    fast: (v) => typeof v === 'number' && v >= 0 && v <= 2,
    expected: 'a number from 0 to 2',
    hint: 'e.g. `temperature: 0.2`.',
  },
  max_tokens: {
    schema: positiveInt,
    fast: isPositiveInt,
    expected: 'a positive whole number of tokens',
    hint: 'e.g. `max_tokens: 8000`.',
  },
  failover: {
    schema: (z) => z.boolean(),
    fast: (v) => typeof v === 'boolean',
    expected: 'true or false',
    hint: '`failover: false` pins the model: never substituted, even where a failover chain is configured.',
  },
  timeout: {
    schema: (z) => z.union([positiveInt(z), z.string().transform(parseDuration).pipe(positiveInt(z))]),
    fast: isPositiveInt,
    expected: 'a positive whole number of milliseconds, or a duration such as "90s" or "5m"',
    hint: 'e.g. `timeout: 300000` or `timeout: 5m`.',
  },
};

/**
 * The lazy boundary of agent parsing: importing zod costs ~100 ms, more than the rest of
 * `codex-task agents list`, and the fast checks pass nearly every real agent file. So zod is loaded
 * (synchronously, the very instance `import 'zod'` gives elsewhere) when a value first needs a
 * schema, and each field's schema is built once.
 */
const built = new Map<string, Zod.ZodType>();
export function fieldSchema(field: string): Zod.ZodType {
  let schema = built.get(field);
  if (!schema) {
    const zod = createRequire(import.meta.url)(fileURLToPath(import.meta.resolve('zod'))) as typeof Zod;
    schema = FIELD_RULES[field]!.schema(zod.z);
    built.set(field, schema);
  }
  return schema;
}

/** The field's value as its schema reads it, or `ok: false` when the value does not pass. */
export function checkField(field: string, value: unknown): { ok: true; value: unknown } | { ok: false } {
  if (FIELD_RULES[field]!.fast(value)) return { ok: true, value };
  const parsed = fieldSchema(field).safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false };
}
