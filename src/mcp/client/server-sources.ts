import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { AgentDefinition } from '../../agents/index.ts';
import { McpConfigError, type McpServerConfig, mcpJsonSchema, resolveServerConfig } from './server-config.ts';

type Env = Record<string, string | undefined>;

export interface ServerSources {
  /** Servers by name; `scope: 'agent'` ones belong to one subagent run (not shared). */
  servers: Map<string, { config: McpServerConfig; scope: 'project' | 'agent' }>;
  /** Entries that could not be used, each with its fix (the rest still work). */
  problems: McpConfigError[];
}

interface CachedFile {
  path: string;
  mtimeMs: number;
  size: number;
  /** The content the servers were read from: the only one trusted for the reader's life. */
  text: string;
  servers: Map<string, McpServerConfig>;
  problems: McpConfigError[];
}

/**
 * Where MCP servers come from for a subagent: the project's `.mcp.json` (Claude Code's format; the
 * nearest one walking up from the task's directory to the repository root), then the agent's own
 * `mcpServers` frontmatter — names of configured servers, or inline definitions (`- name: {…}`, or
 * a map). Inline ones are the agent's alone, as in Claude Code.
 *
 * Project servers run on the host, outside the Bash sandbox, so a subagent must not be able to add
 * one: the `.mcp.json` found the first time a directory is looked at (before any subagent of the
 * engine ran there) is the one trusted, as it was then, until the reader is made again (a restart).
 * A file that appears later or a change to the content is reported and ignored.
 */
export class ServerSourceReader {
  readonly #env: Env;
  readonly #files = new Map<string, CachedFile>();
  /** The `.mcp.json` each directory had at its first lookup (null: none). */
  readonly #trustedPath = new Map<string, string | null>();

  constructor(env: Env) {
    this.#env = env;
  }

  read(agent: AgentDefinition, cwd: string): ServerSources {
    const problems: McpConfigError[] = [];
    const servers: ServerSources['servers'] = new Map();
    const project = this.#projectFile(cwd);
    if (project) {
      for (const [name, config] of project.servers) servers.set(name, { config, scope: 'project' });
      problems.push(...project.problems);
    }
    const declared = agent.accepted.mcpServers ?? agent.unknown.mcpServers;
    if (declared !== undefined) {
      const source = agent.file ?? `agent ${agent.name}`;
      for (const [name, raw] of agentEntries(declared, source, problems)) {
        if (raw === undefined) {
          if (!servers.has(name))
            problems.push(
              new McpConfigError(
                `${source}: mcpServers names '${name}', which no .mcp.json here defines`,
                `Define '${name}' in the project's .mcp.json, or inline in the agent file.`,
              ),
            );
          continue;
        }
        try {
          servers.set(name, {
            config: resolveServerConfig(name, raw, this.#env, cwd, source),
            scope: 'agent',
          });
        } catch (error) {
          problems.push(error as McpConfigError);
        }
      }
    }
    return { servers, problems };
  }

  #projectFile(cwd: string): Pick<CachedFile, 'servers' | 'problems'> | undefined {
    const found = findMcpJson(cwd) ?? null;
    if (!this.#trustedPath.has(cwd)) this.#trustedPath.set(cwd, found);
    const path = this.#trustedPath.get(cwd) ?? null;
    const ignored: McpConfigError[] = [];
    if (found !== null && found !== path) ignored.push(untrusted(found, 'appeared'));
    const st = path ? statSync(path, { throwIfNoEntry: false }) : undefined;
    // A trusted file removed: no project servers (less than trusted is safe).
    if (!path || !st) return ignored.length > 0 ? { servers: new Map(), problems: ignored } : undefined;
    const cached = this.#files.get(path);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size)
      return withProblems(cached, ignored);
    const text = readText(path);
    if (cached) {
      if (text !== cached.text) ignored.push(untrusted(path, 'changed'));
      else Object.assign(cached, { mtimeMs: st.mtimeMs, size: st.size });
      return withProblems(cached, ignored);
    }
    const file = this.#parse(path, text ?? '');
    Object.assign(file, { mtimeMs: st.mtimeMs, size: st.size });
    this.#files.set(path, file);
    return withProblems(file, ignored);
  }

  #parse(path: string, text: string): CachedFile {
    const file: CachedFile = { path, mtimeMs: 0, size: 0, text, servers: new Map(), problems: [] };
    try {
      const json = mcpJsonSchema.parse(JSON.parse(text));
      for (const [name, raw] of Object.entries(json.mcpServers)) {
        try {
          file.servers.set(name, resolveServerConfig(name, raw, this.#env, dirname(path), path));
        } catch (error) {
          file.problems.push(error as McpConfigError);
        }
      }
    } catch (error) {
      file.problems.push(
        error instanceof McpConfigError
          ? error
          : new McpConfigError(
              `${path} is not valid: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
              'It must be JSON: { "mcpServers": { "<name>": { ... } } }.',
            ),
      );
    }
    return file;
  }
}

function withProblems(file: CachedFile, more: McpConfigError[]): Pick<CachedFile, 'servers' | 'problems'> {
  return more.length === 0 ? file : { servers: file.servers, problems: [...file.problems, ...more] };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function untrusted(path: string, how: 'appeared' | 'changed'): McpConfigError {
  return new McpConfigError(
    `${path} ${how} after this engine first read its MCP servers; the ${how === 'appeared' ? 'new file' : 'change'} is ignored until codex-task restarts`,
    'MCP servers run on the host, outside the Bash sandbox, so a subagent must not be able to add one. If you made this change, restart codex-task (or the Codex session) to use it.',
  );
}

/** The nearest `.mcp.json` from `cwd` up to the repository root (a directory holding `.git`). */
export function findMcpJson(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const candidate = join(dir, '.mcp.json');
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return undefined;
  }
}

const entrySchema = z.union([z.string().min(1), z.record(z.string(), z.unknown())]);

/** `mcpServers:` as a list (names or `{ name: config }`) or as a map of name → config. */
function agentEntries(value: unknown, source: string, problems: McpConfigError[]): [string, unknown][] {
  const list = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [value];
  const out: [string, unknown][] = [];
  for (const item of list) {
    const parsed = entrySchema.safeParse(item);
    if (!parsed.success) {
      problems.push(
        new McpConfigError(
          `${source}: an mcpServers entry is neither a server name nor { name: config }`,
          'Write `mcpServers: [github]` or `mcpServers: [{ files: { command: npx, args: [...] } }]`.',
        ),
      );
      continue;
    }
    if (typeof parsed.data === 'string') out.push([parsed.data, undefined]);
    else out.push(...Object.entries(parsed.data));
  }
  return out;
}
