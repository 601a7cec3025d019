import { parse, TomlError } from 'smol-toml';
import { CodexTaskError } from '../../errors/index.ts';
import { headerPath, joinDocument, setKey, splitDocument, tableRange, tomlValue } from './toml-edit.ts';

export const DEFAULT_SERVER_NAME = 'codex-task';

/** Variables the server reads: provider keys and endpoints, model overrides, and codex-task's own. */
const KNOWN_VARIABLES = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_BASE_URL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'GEMINI_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'GOOGLE_GENERATIVE_AI_BASE_URL',
  'OPENAI_COMPATIBLE_BASE_URL',
  'OPENAI_COMPATIBLE_API_KEY',
  'OPENAI_COMPATIBLE_MODEL',
  'OPENAI_COMPATIBLE_NAME',
  'CLAUDE_CODE_SUBAGENT_MODEL',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
];

/**
 * The variables to hand to the server, of those set here: Codex starts MCP servers with a bare
 * environment (docs/compatibility.md), so keys and endpoints must be passed explicitly.
 */
export function serverVariables(
  env: Record<string, string | undefined>,
  extra: readonly string[] = [],
): string[] {
  const names = new Set([...KNOWN_VARIABLES, ...extra]);
  for (const name of Object.keys(env)) if (name.startsWith('CODEX_TASK_')) names.add(name);
  return [...names].filter((name) => env[name]).sort();
}

export interface CodexEntryOptions {
  command: string;
  args: string[];
  /** The configured task timeout: Codex's `tool_timeout_sec` is derived from it. */
  taskTimeoutMs: number;
  /** Variables Codex forwards from its own environment when it starts the server (names only). */
  envVars: string[];
  /** Values written into the entry's `env` (only when asked: they are often secrets). */
  env?: Record<string, string>;
}

/**
 * What the entry sets, in order. Codex 0.169 needs the approval mode (or `codex exec` refuses the
 * call) and parallel calls (or one turn's Task calls run one after another); its tool timeout must
 * cover a task that waits for a slot behind a full wave of others, hence twice the task timeout.
 */
export function codexEntry(options: CodexEntryOptions): [string, unknown][] {
  return [
    ['command', options.command],
    ['args', options.args],
    ['default_tools_approval_mode', 'approve'],
    ['supports_parallel_tool_calls', true],
    ['tool_timeout_sec', Math.ceil(options.taskTimeoutMs / 1000) * 2],
    ...(options.envVars.length > 0 ? [['env_vars', options.envVars] as [string, unknown]] : []),
    ...(options.env && Object.keys(options.env).length > 0
      ? [['env', options.env] as [string, unknown]]
      : []),
  ];
}

/** The entry as a TOML table, for `--print` or a new file. */
export function renderCodexEntry(entry: [string, unknown][], name = DEFAULT_SERVER_NAME): string {
  return [`[mcp_servers.${tableKey(name)}]`, ...entry.map(([k, v]) => `${k} = ${tomlValue(v)}`)].join('\n');
}

export class CodexConfigError extends CodexTaskError {
  constructor(message: string, hint: string) {
    super('CodexConfig', message, hint);
  }
}

export interface ApplyResult {
  text: string;
  action: 'added' | 'updated' | 'unchanged';
}

/**
 * Puts the entry into a Codex config.toml's text, touching nothing else: other servers, keys and
 * comments stay as they were. Lists the user extended (`env_vars`, `env`) keep their additions.
 * The result is parsed again and checked before it is returned.
 * @throws CodexConfigError when the file is not valid TOML or defines the server in a form we do not edit
 */
export function applyCodexEntry(
  text: string,
  entry: [string, unknown][],
  name = DEFAULT_SERVER_NAME,
): ApplyResult {
  const before = parseToml(text, 'The existing config.toml is not valid TOML');
  const existing = (before.mcp_servers as Record<string, Record<string, unknown>> | undefined)?.[name];
  const merged = mergeLists(entry, existing);
  const doc = splitDocument(text);
  const header = doc.lines.findIndex((line) => samePath(headerPath(line), ['mcp_servers', name]));
  let action: ApplyResult['action'] = 'updated';
  if (header < 0) {
    if (existing !== undefined) {
      throw new CodexConfigError(
        `mcp_servers.${name} is defined inline or with dotted keys, which this command does not rewrite`,
        `Replace it with a [mcp_servers.${tableKey(name)}] table, or remove it and run the command again.`,
      );
    }
    while (doc.lines.length > 0 && doc.lines.at(-1)!.trim() === '') doc.lines.pop();
    if (doc.lines.length > 0) doc.lines.push('');
    doc.lines.push(...renderCodexEntry(merged, name).split('\n'));
    doc.finalEol = true;
    action = 'added';
  } else {
    for (const [key, value] of merged) {
      const sub = doc.lines.findIndex((line) => samePath(headerPath(line), ['mcp_servers', name, key]));
      if (sub >= 0 && value && typeof value === 'object' && !Array.isArray(value)) {
        // `[mcp_servers.<name>.env]` as its own table: set the variables there.
        for (const [k, v] of Object.entries(value))
          setKey(doc.lines, tableRange(doc.lines, sub), k, tomlValue(v));
      } else {
        setKey(doc.lines, tableRange(doc.lines, header), key, tomlValue(value));
      }
    }
  }
  const out = joinDocument(doc);
  if (out === text) return { text, action: 'unchanged' };
  verify(out, merged, name);
  return { text: out, action };
}

function mergeLists(
  entry: [string, unknown][],
  existing: Record<string, unknown> | undefined,
): [string, unknown][] {
  return entry.map(([key, value]) => {
    const old = existing?.[key];
    if (key === 'env_vars' && Array.isArray(old))
      return [key, [...new Set([...old.map(String), ...(value as string[])])]];
    if (key === 'env' && old && typeof old === 'object')
      return [key, { ...(old as object), ...(value as object) }];
    return [key, value];
  });
}

function verify(text: string, entry: [string, unknown][], name: string): void {
  const parsed = parseToml(text, 'Internal error: the edited config.toml did not parse');
  const got = (parsed.mcp_servers as Record<string, Record<string, unknown>> | undefined)?.[name] ?? {};
  for (const [key, value] of entry) {
    if (JSON.stringify(got[key]) !== JSON.stringify(value)) {
      throw new CodexConfigError(
        `Internal error: after the edit, mcp_servers.${name}.${key} is ${JSON.stringify(got[key])}`,
        'The file was not written. Add the entry by hand (codex-task install codex --print).',
      );
    }
  }
}

function parseToml(text: string, what: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    const where = error instanceof TomlError ? ` (line ${error.line}, column ${error.column})` : '';
    throw new CodexConfigError(
      `${what}${where}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      'Fix the file (or move it aside) and run the command again; nothing was written.',
    );
  }
}

function samePath(a: string[] | undefined, b: string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((part, i) => part === b[i]);
}

function tableKey(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name);
}
