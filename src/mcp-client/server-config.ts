import { resolve } from 'node:path';
import { z } from 'zod';
import { CodexTaskError } from '../errors/index.ts';

/** One MCP server a subagent can use, resolved (variables expanded, type decided). */
export type McpServerConfig =
  | { type: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd: string }
  | { type: 'http' | 'sse'; url: string; headers: Record<string, string> };

/**
 * Claude Code's server entry (`.mcp.json` `mcpServers.<name>`, or inline in an agent's
 * `mcpServers`): `type` may be omitted (a `command` means stdio, a `url` streamable HTTP).
 */
const rawServerSchema = z
  .object({
    type: z.enum(['stdio', 'http', 'streamable-http', 'sse']).optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
    url: z.string().min(1).optional(),
    headers: z.record(z.string(), z.string()).default({}),
  })
  .loose();

export type RawServerConfig = z.input<typeof rawServerSchema>;

export const mcpJsonSchema = z.object({ mcpServers: z.record(z.string(), z.unknown()).default({}) }).loose();

export class McpConfigError extends CodexTaskError {
  constructor(message: string, hint: string) {
    super('McpConfig', message, hint);
  }
}

type Env = Record<string, string | undefined>;

/**
 * Parses one entry and expands `${VAR}` / `${VAR:-default}` in command, args, env, url and headers,
 * as Claude Code does. `baseDir` is where a stdio server runs (the project of its `.mcp.json`).
 * @throws McpConfigError naming the server and the field
 */
export function resolveServerConfig(
  name: string,
  raw: unknown,
  env: Env,
  baseDir: string,
  source: string,
): McpServerConfig {
  const parsed = rawServerSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new McpConfigError(
      `MCP server '${name}' in ${source}: ${issue.path.join('.') || 'entry'}: ${issue.message}`,
      'An entry is { "command": "...", "args": [...], "env": {...} } (stdio) or { "type": "http", "url": "..." }.',
    );
  }
  const c = parsed.data;
  const x = (value: string, field: string) => expand(value, env, `${source}: mcpServers.${name}.${field}`);
  const type = c.type ?? (c.command ? 'stdio' : c.url ? 'http' : undefined);
  if (type === 'stdio') {
    if (!c.command)
      throw new McpConfigError(`MCP server '${name}' in ${source} has no command`, 'Add "command".');
    return {
      type,
      command: x(c.command, 'command'),
      args: c.args.map((a, i) => x(a, `args[${i}]`)),
      env: Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, x(v, `env.${k}`)])),
      // Relative to the entry's own directory, not to wherever codex-task was started: trust binds
      // the files the entry runs from there (see commandFiles).
      cwd: c.cwd ? resolve(baseDir, x(c.cwd, 'cwd')) : baseDir,
    };
  }
  if (!type || !c.url) {
    throw new McpConfigError(
      `MCP server '${name}' in ${source} has neither a command nor a url`,
      'Give "command" (stdio) or "url" (streamable HTTP).',
    );
  }
  return {
    type: type === 'sse' ? 'sse' : 'http',
    url: x(c.url, 'url'),
    headers: Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k, x(v, `headers.${k}`)])),
  };
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function expand(value: string, env: Env, where: string): string {
  return value.replace(VARIABLE, (_, name: string, fallback: string | undefined) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    throw new McpConfigError(
      `${where} uses \${${name}}, which is not set`,
      `Set ${name}, or write \${${name}:-default}.`,
    );
  });
}

/** Identity of a server for sharing: the same resolved config is the same server. */
export function configKey(config: McpServerConfig): string {
  return JSON.stringify(config);
}
