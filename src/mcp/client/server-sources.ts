import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { AgentDefinition } from '../../agents/index.ts';
import {
  digestOf,
  digestOfText,
  skippedNotice,
  type TrustChecker,
  type TrustItem,
} from '../../trust/index.ts';
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
  readonly #trust: TrustChecker;
  readonly #files = new Map<string, CachedFile>();
  /** The `.mcp.json` each directory had at its first lookup (null: none). */
  readonly #trustedPath = new Map<string, string | null>();

  constructor(env: Env, trust: TrustChecker) {
    this.#env = env;
    this.#trust = trust;
  }

  read(agent: AgentDefinition, cwd: string): ServerSources {
    const problems: McpConfigError[] = [];
    const servers: ServerSources['servers'] = new Map();
    const project = this.#trustedProjectFile(cwd);
    if (project) {
      for (const [name, config] of project.servers) servers.set(name, { config, scope: 'project' });
      problems.push(...project.problems);
    }
    const declared = agent.accepted.mcpServers ?? agent.unknown.mcpServers;
    if (declared !== undefined) {
      const source = agent.file ?? `agent ${agent.name}`;
      // A repository's agent file runs its inline servers only in a trusted workspace; the user's
      // own agents (and agents given in code) need no trust.
      const item = agentMcpTrustItem(agent);
      const verdict = item ? this.#trust.verdict(item) : undefined;
      const inlineTrusted = verdict === undefined || verdict.trusted;
      if (item && verdict && !verdict.trusted) problems.push(skipped(item, verdict, cwd));
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
        if (!inlineTrusted) continue;
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

  /** The project's servers, if the user trusted this `.mcp.json` as it is now (else one notice, no servers). */
  #trustedProjectFile(cwd: string): Pick<CachedFile, 'servers' | 'problems'> | undefined {
    const file = this.#projectFile(cwd);
    const cached = file && this.#files.get(this.#trustedPath.get(cwd) ?? '');
    if (!file || !cached || cached.servers.size === 0) return file;
    const item = mcpJsonItem(cached.path, cached.text);
    const verdict = this.#trust.verdict(item);
    if (verdict.trusted) return file;
    return { servers: new Map(), problems: [skipped(item, verdict, cwd)] };
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

function skipped(
  item: TrustItem,
  verdict: Extract<ReturnType<TrustChecker['verdict']>, { trusted: false }>,
  cwd: string,
): McpConfigError {
  return new McpConfigError(
    skippedNotice(item, verdict, cwd),
    'MCP servers run programs on your machine, outside the Bash sandbox, with your environment: a cloned repository must not start them unasked.',
  );
}

/** A `.mcp.json`'s trust item: its exact text, summarised as each server's command line or URL. */
function mcpJsonItem(path: string, text: string): TrustItem {
  let entries: [string, unknown][] = [];
  try {
    entries = Object.entries(mcpJsonSchema.parse(JSON.parse(text)).mcpServers);
  } catch {
    // Not usable: it starts nothing, but trusting it is still about its text.
  }
  return {
    kind: 'mcp-json',
    file: path,
    digest: digestOfText(text),
    summary: entries.map(([name, raw]) => `${name}: ${describeRawServer(raw)}`),
  };
}

function describeRawServer(raw: unknown): string {
  const r = (raw ?? {}) as { command?: unknown; args?: unknown; url?: unknown };
  if (typeof r.command === 'string')
    return [r.command, ...(Array.isArray(r.args) ? r.args.map(String) : [])].join(' ');
  return typeof r.url === 'string' ? r.url : 'server';
}

/** The trust item of a project `.mcp.json` (for `codex-task trust`). */
export function mcpJsonTrustItem(path: string): TrustItem | undefined {
  const text = readText(path);
  return text === undefined ? undefined : mcpJsonItem(path, text);
}

/** The trust item of a repository agent's inline `mcpServers` (undefined: none, or not the repository's). */
export function agentMcpTrustItem(agent: AgentDefinition): TrustItem | undefined {
  const declared = agent.accepted.mcpServers ?? agent.unknown.mcpServers;
  if (declared === undefined || agent.scope !== 'project' || !agent.file) return undefined;
  const inline = agentEntries(declared, agent.file, []).filter(([, raw]) => raw !== undefined);
  if (inline.length === 0) return undefined;
  return {
    kind: 'agent-mcp-servers',
    file: agent.file,
    digest: digestOf(declared),
    summary: inline.map(([name, raw]) => `${name}: ${describeRawServer(raw)}`),
  };
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
