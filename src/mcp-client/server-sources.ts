import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { AgentDefinition } from '../agents/index.ts';
import {
  commandFiles,
  describeServerEntry,
  digestOf,
  digestOfText,
  skippedNotice,
  type TrustChecker,
  type TrustItem,
  workspaceDirOf,
  workspaceRootOf,
} from '../trust/index.ts';
import { McpConfigError, type McpServerConfig, mcpJsonSchema, resolveServerConfig } from './server-config.ts';

type Env = Record<string, string | undefined>;

export interface ServerSources {
  /** Servers by name; `scope: 'agent'` ones belong to one subagent run (not shared). */
  servers: Map<string, SourcedServer>;
  /** Entries that could not be used, each with its fix (the rest still work). */
  problems: McpConfigError[];
}

export interface SourcedServer {
  config: McpServerConfig;
  scope: 'project' | 'agent';
  /**
   * From the repository (its `.mcp.json`, or a project agent file's inline entry) rather than the
   * user: such a server is started at most once, before any subagent ran in the workspace.
   */
  fromRepository: boolean;
  /**
   * To call before each start of the server: whether the user's trust still covers it, the files it
   * runs included — a sandboxed command may have rewritten one since the entry was read (undefined:
   * it may start; else why not). Absent for servers that need no trust (the user's own agents).
   */
  verify?: () => McpConfigError | undefined;
}

interface CachedFile {
  path: string;
  mtimeMs: number;
  size: number;
  /** The content the servers were read from: the only one trusted for the reader's life. */
  text: string;
  /** Its trust item (the text's digest, each entry as shown). */
  item: TrustItem;
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
 * A file that appears later or a change to the content is reported and ignored. The workspace
 * files a trusted server runs are checked again right before it starts (see `SourcedServer.verify`).
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

  /** The project's trusted `.mcp.json` servers for `cwd` alone (what the pool starts up front). */
  project(cwd: string): ServerSources {
    const { servers, problems } = this.#projectServers(cwd);
    return { servers: new Map(servers), problems };
  }

  read(agent: AgentDefinition, cwd: string): ServerSources {
    const problems: McpConfigError[] = [];
    const servers: ServerSources['servers'] = new Map();
    const project = this.#projectServers(cwd);
    for (const [name, server] of project.servers) servers.set(name, server);
    problems.push(...project.problems);
    const declared = agent.accepted.mcpServers ?? agent.unknown.mcpServers;
    if (declared !== undefined) {
      const source = agent.file ?? `agent ${agent.name}`;
      // A repository's agent file runs its inline servers only in a trusted workspace; the user's
      // own agents (and agents given in code) need no trust.
      const item = agentMcpItem(agent);
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
          const config = resolveServerConfig(name, raw, this.#env, cwd, source);
          const root = item && workspaceRootOf(workspaceDirOf(item.file));
          const verify = item && root && this.#verifier(item, name, config, cwd, root, cwd);
          servers.set(name, {
            config,
            scope: 'agent',
            fromRepository: item !== undefined,
            ...(verify ? { verify } : {}),
          });
        } catch (error) {
          problems.push(error as McpConfigError);
        }
      }
    }
    return { servers, problems };
  }

  /**
   * Checks, now, that the user's trust in `item` covers server `name` and the workspace files it
   * runs (`baseDir`: where its relative paths start; `root`: the workspace whose files count).
   * Undefined when nothing needs checking: this run trusts its workspace as it is.
   */
  #verifier(
    item: TrustItem,
    name: string,
    config: McpServerConfig,
    baseDir: string,
    root: string,
    cwd: string,
  ): SourcedServer['verify'] {
    if (this.#trust.optIn) return undefined;
    const summary = item.summary.filter((line) => line.startsWith(`${name}: `));
    return () => {
      const runs = { [name]: config.type === 'stdio' ? commandFiles(config, { baseDir, root }) : {} };
      const verdict = this.#trust.verdict({ ...item, runs });
      return verdict.trusted ? undefined : skipped({ ...item, summary }, verdict, cwd);
    };
  }

  /** The project's servers, if the user trusted this `.mcp.json` as it is now (else one notice, no servers). */
  #projectServers(cwd: string): { servers: [string, SourcedServer][]; problems: McpConfigError[] } {
    const { file, ignored } = this.#projectFile(cwd);
    if (!file) return { servers: [], problems: ignored };
    const problems = [...file.problems, ...ignored];
    if (file.servers.size === 0) return { servers: [], problems };
    const verdict = this.#trust.verdict(file.item);
    if (!verdict.trusted) return { servers: [], problems: [skipped(file.item, verdict, cwd)] };
    const baseDir = dirname(file.path);
    const root = workspaceRootOf(baseDir);
    const servers = [...file.servers].map(([name, config]): [string, SourcedServer] => {
      const verify = this.#verifier(file.item, name, config, baseDir, root, cwd);
      return [name, { config, scope: 'project', fromRepository: true, ...(verify ? { verify } : {}) }];
    });
    return { servers, problems };
  }

  /** The `.mcp.json` this directory had at its first lookup, as first read, and what was ignored since. */
  #projectFile(cwd: string): { file?: CachedFile; ignored: McpConfigError[] } {
    const found = findMcpJson(cwd) ?? null;
    if (!this.#trustedPath.has(cwd)) this.#trustedPath.set(cwd, found);
    const path = this.#trustedPath.get(cwd) ?? null;
    const ignored: McpConfigError[] = [];
    if (found !== null && found !== path) ignored.push(untrusted(found, 'appeared'));
    const st = path ? statSync(path, { throwIfNoEntry: false }) : undefined;
    // A trusted file removed: no project servers (less than trusted is safe).
    if (!path || !st) return { ignored };
    const cached = this.#files.get(path);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return { file: cached, ignored };
    const text = readText(path);
    if (cached) {
      if (text !== cached.text) ignored.push(untrusted(path, 'changed'));
      else Object.assign(cached, { mtimeMs: st.mtimeMs, size: st.size });
      return { file: cached, ignored };
    }
    const file = this.#parse(path, text ?? '');
    Object.assign(file, { mtimeMs: st.mtimeMs, size: st.size });
    this.#files.set(path, file);
    return { file, ignored };
  }

  #parse(path: string, text: string): CachedFile {
    const { entries: _, ...item } = mcpJsonItem(path, text);
    const file: CachedFile = { path, mtimeMs: 0, size: 0, text, item, servers: new Map(), problems: [] };
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
function mcpJsonItem(path: string, text: string): TrustItem & { entries: [string, unknown][] } {
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
    summary: entries.map(([name, raw]) => `${name}: ${describeServerEntry(raw)}`),
    entries,
  };
}

/**
 * The trust item of a project `.mcp.json` (for `codex-task trust`), with the workspace files each
 * server runs as it is now. `env` expands `${VAR}`s as a run would.
 */
export function mcpJsonTrustItem(path: string, env: Env = process.env): TrustItem | undefined {
  const text = readText(path);
  if (text === undefined) return undefined;
  const { entries, ...item } = mcpJsonItem(path, text);
  const baseDir = dirname(path);
  return { ...item, runs: runsOf(entries, env, baseDir, workspaceRootOf(baseDir), path) };
}

/**
 * The trust item of a repository agent's inline `mcpServers` (undefined: none, or not the
 * repository's), with the workspace files each runs when a task runs in `cwd` (default: the
 * agent's workspace).
 */
export function agentMcpTrustItem(
  agent: AgentDefinition,
  cwd?: string,
  env: Env = process.env,
): TrustItem | undefined {
  const item = agentMcpItem(agent);
  if (!item) return undefined;
  const dir = workspaceDirOf(item.file);
  return { ...item, runs: runsOf(item.entries, env, cwd ?? dir, workspaceRootOf(dir), item.file) };
}

function agentMcpItem(agent: AgentDefinition): (TrustItem & { entries: [string, unknown][] }) | undefined {
  const declared = agent.accepted.mcpServers ?? agent.unknown.mcpServers;
  if (declared === undefined || agent.scope !== 'project' || !agent.file) return undefined;
  const inline = agentEntries(declared, agent.file, []).filter(([, raw]) => raw !== undefined);
  if (inline.length === 0) return undefined;
  return {
    kind: 'agent-mcp-servers',
    file: agent.file,
    digest: digestOf(declared),
    summary: inline.map(([name, raw]) => `${name}: ${describeServerEntry(raw)}`),
    entries: inline,
  };
}

/** What each usable entry runs from the workspace (an entry that cannot be resolved starts nothing). */
function runsOf(
  entries: [string, unknown][],
  env: Env,
  baseDir: string,
  root: string,
  source: string,
): Record<string, Record<string, string>> {
  return Object.fromEntries(
    entries.flatMap(([name, raw]) => {
      try {
        const config = resolveServerConfig(name, raw, env, baseDir, source);
        return [[name, config.type === 'stdio' ? commandFiles(config, { baseDir, root }) : {}]];
      } catch {
        return []; // Not startable as written: nothing of the workspace runs.
      }
    }),
  );
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
