import { type Stats, statSync } from 'node:fs';
import { AgentConfigError, AgentNotFoundError } from '../errors/index.ts';
import { compareAgentNames } from './agent-list.ts';
import { BUILTIN_AGENTS } from './builtin-agents.ts';
import { type AgentInput, parseAgentInput } from './code-agents.ts';
import { agentDirectories, listAgentFiles, mergeAgents, type ShadowedAgent } from './discover.ts';
import { configuredMcpServers, mcpToolProblems } from './mcp-tools.ts';
import {
  type AgentParseOptions,
  type ParseResult,
  parseAgentSource,
  readAgentContents,
  unreadable,
} from './parse-agent-file.ts';
import { type ScannedAgentFile, type SkippedAgentFile, skippedFiles, skippedNamed } from './skipped-files.ts';
import type { AgentDefinition, AgentProblem, AgentScope } from './types.ts';

export interface AgentRegistryOptions extends AgentParseOptions {
  /** Where project agents are looked up from (walking up to the repository root). */
  cwd: string;
  /** Home directory for `~/.claude/agents` (default: the OS's); injectable for tests. */
  homeDir?: string;
  /** Agents given in code: highest precedence, validated like files. */
  agents?: AgentInput[];
  /**
   * At most one look at the disk per this many ms (default 100): a burst of `get` calls from a
   * fan-out costs one scan, and an edit is still seen by the next task. 0 = look on every call.
   */
  rescanIntervalMs?: number;
  /**
   * MCP servers configured for this directory, for the warning about `tools:` entries of other
   * servers (default: the names in the nearest `.mcp.json`, read when agent files change).
   */
  mcpServers?: readonly string[];
}

/** What a file looked like when it was parsed; any difference means it changed. */
interface CachedFile {
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
  scope: AgentScope;
  result: ParseResult;
}

export const DEFAULT_RESCAN_INTERVAL_MS = 100;

/** An agent file that changed on disk, as a rescan (hot reload) found it. */
export interface AgentFileChange {
  file: string;
  change: 'added' | 'modified' | 'removed';
  scope: AgentScope;
  /** The agent the file now defines (absent when removed or when it no longer loads). */
  name?: string;
  /** sha256 of the new contents (absent when removed or unloadable). */
  hash?: string;
  /** Errors that keep the file from loading. */
  errors: AgentProblem[];
}

/**
 * The agents one working directory sees, kept current without a restart: each scan re-lists the
 * agent directories and `stat`s every file, and re-parses only files whose stat changed.
 */
export class AgentRegistry {
  readonly #options: AgentRegistryOptions;
  readonly #interval: number;
  readonly #parseOptions: AgentParseOptions;
  readonly #code: AgentDefinition[] = [];
  readonly #codeProblems: AgentProblem[] = [];
  readonly #cache = new Map<string, CachedFile>();
  #byName = new Map<string, AgentDefinition>();
  #sorted: AgentDefinition[] = [];
  #problems: AgentProblem[] = [];
  #files: ScannedAgentFile[] = [];
  #skipped: SkippedAgentFile[] = [];
  #shadowed: ShadowedAgent[] = [];
  #lastScanAt = Number.NEGATIVE_INFINITY;
  #scanned = false;
  #scans = 0;
  #parses = 0;
  readonly #changeListeners = new Set<(change: AgentFileChange) => void>();
  #changes: AgentFileChange[] = [];

  /** @throws AgentConfigError when an agent given in code is invalid (all of its errors listed). */
  constructor(options: AgentRegistryOptions) {
    this.#options = options;
    this.#interval = options.rescanIntervalMs ?? DEFAULT_RESCAN_INTERVAL_MS;
    this.#parseOptions = parseOptions(options);
    const errors: AgentProblem[] = [];
    (options.agents ?? []).forEach((input, i) => {
      const name = typeof input?.name === 'string' ? input.name : `#${i}`;
      const result = parseAgentInput(input, { ...this.#parseOptions, source: `<code:${name}>` });
      if (result.definition) this.#code.push(result.definition);
      for (const problem of result.problems)
        (problem.severity === 'error' ? errors : this.#codeProblems).push(problem);
    });
    if (errors.length > 0) {
      throw new AgentConfigError(
        `Invalid agent given in code: ${errors.map((p) => `${p.file}${p.field ? ` ${p.field}` : ''}: ${p.message}`).join('; ')}`,
        errors.find((p) => p.hint)?.hint,
        { file: errors[0]!.file, field: errors[0]!.field, line: errors[0]!.line },
      );
    }
  }

  /**
   * Case-insensitive lookup. @throws AgentNotFoundError listing the available names, and naming
   * any file that would have defined the agent (by its `name` or its file name) but was skipped.
   */
  get(name: string): AgentDefinition {
    const def = this.find(name);
    if (def) return def;
    throw new AgentNotFoundError(
      name,
      this.#sorted.map((d) => d.name),
      skippedNamed(this.#skipped, name, this.#options.cwd),
    );
  }

  find(name: string): AgentDefinition | undefined {
    this.#refreshIfDue();
    return this.#byName.get(name.toLowerCase());
  }

  /** Every visible agent (shadowed ones excluded), sorted by name case-insensitively. */
  list(): AgentDefinition[] {
    this.#refreshIfDue();
    return [...this.#sorted];
  }

  /** Problems of every scanned file and code agent, including files that did not load. */
  problems(): AgentProblem[] {
    this.#refreshIfDue();
    return [...this.#problems];
  }

  /** Every agent file scanned (loaded or not), highest precedence level first, each in path order. */
  files(): ScannedAgentFile[] {
    this.#refreshIfDue();
    return [...this.#files];
  }

  /** Agent files that did not load, each with its errors: never silently missing. */
  skipped(): SkippedAgentFile[] {
    this.#refreshIfDue();
    return [...this.#skipped];
  }

  /** Definitions hidden by another of the same name, and which one is used instead. */
  shadowed(): ShadowedAgent[] {
    this.#refreshIfDue();
    return [...this.#shadowed];
  }

  /** Looks at the disk now, whatever the rescan interval. */
  refresh(): void {
    this.#scan();
  }

  /**
   * Calls `listener` for every agent file added, modified or removed that a rescan picks up (not for
   * the files of the first scan: loading is not a change). Returns the unsubscribe function.
   */
  onChange(listener: (change: AgentFileChange) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** For tests and diagnostics: how many scans ran and how many files were (re)parsed. */
  stats(): { scans: number; parses: number; cachedFiles: number } {
    return { scans: this.#scans, parses: this.#parses, cachedFiles: this.#cache.size };
  }

  #refreshIfDue(): void {
    if (this.#scanned && performance.now() - this.#lastScanAt < this.#interval) return;
    this.#scan();
  }

  #scan(): void {
    this.#scans++;
    const seen = new Set<string>();
    const levels: AgentDefinition[][] = [this.#code];
    const files: ScannedAgentFile[] = [];
    let changed = !this.#scanned;
    for (const { scope, dir } of agentDirectories(this.#options)) {
      const level: AgentDefinition[] = [];
      for (const file of listAgentFiles(dir)) {
        const result = this.#load(file, scope);
        if (!result) continue;
        if (result.changed) changed = true;
        seen.add(file);
        if (result.parsed.definition) level.push(result.parsed.definition);
        files.push({ file, scope, result: result.parsed });
      }
      levels.push(level);
    }
    for (const [file, cached] of this.#cache) {
      if (!seen.has(file)) {
        this.#cache.delete(file);
        this.#noteChange({ file, change: 'removed', scope: cached.scope, errors: [] });
        changed = true;
      }
    }
    // Timed after the work, so a slow scan still leaves a full interval before the next one.
    this.#lastScanAt = performance.now();
    this.#scanned = true;
    if (!changed) return;
    levels.push([...BUILTIN_AGENTS]);
    const merged = mergeAgents(levels);
    const servers = this.#options.mcpServers ?? configuredMcpServers(this.#options.cwd);
    const available = this.#parseOptions.knownTools?.available;
    const fileProblems = files.flatMap(({ result }) =>
      result.definition
        ? [...result.problems, ...mcpToolProblems(result.definition, servers, available)]
        : result.problems,
    );
    this.#byName = merged.agents;
    this.#sorted = [...merged.agents.values()].sort((a, b) => compareAgentNames(a.name, b.name));
    this.#problems = [...this.#codeProblems, ...fileProblems, ...merged.problems];
    this.#files = files;
    this.#skipped = skippedFiles(files);
    this.#shadowed = merged.shadowed;
    this.#emitChanges();
  }

  #noteChange(change: AgentFileChange): void {
    if (this.#scanned && this.#changeListeners.size > 0) this.#changes.push(change);
  }

  // After the new definitions are in place, so a listener that calls list() sees them.
  #emitChanges(): void {
    const changes = this.#changes;
    this.#changes = [];
    for (const change of changes) for (const listener of this.#changeListeners) listener(change);
  }

  #load(file: string, scope: AgentScope): { parsed: ParseResult; changed: boolean } | undefined {
    let st: Stats;
    try {
      // Stat before reading: if the file changes in between, the next scan sees a newer stat and
      // parses it again, whereas the other order could cache new contents under a stale stat.
      st = statSync(file);
    } catch {
      return undefined; // deleted since the directory was listed
    }
    const cached = this.#cache.get(file);
    if (
      cached &&
      cached.scope === scope &&
      cached.mtimeMs === st.mtimeMs &&
      cached.ctimeMs === st.ctimeMs &&
      cached.size === st.size &&
      cached.ino === st.ino
    ) {
      return { parsed: cached.result, changed: false };
    }
    this.#parses++;
    let parsed: ParseResult;
    try {
      parsed = parseAgentSource(file, readAgentContents(file), { ...this.#parseOptions, scope });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      parsed = { problems: [unreadable(file, error)] };
    }
    const definition = parsed.definition;
    // A touch, or a save without edits, is not a change of the agent.
    const same = cached?.result.definition && cached.result.definition.hash === definition?.hash;
    if (!same)
      this.#noteChange({
        file,
        change: cached ? 'modified' : 'added',
        scope,
        ...(definition ? { name: definition.name, hash: definition.hash } : {}),
        errors: parsed.problems.filter((p) => p.severity === 'error'),
      });
    this.#cache.set(file, {
      mtimeMs: st.mtimeMs,
      ctimeMs: st.ctimeMs,
      size: st.size,
      ino: st.ino,
      scope,
      result: parsed,
    });
    return { parsed, changed: true };
  }
}

function parseOptions(options: AgentRegistryOptions): AgentParseOptions {
  return {
    ...(options.knownTools ? { knownTools: options.knownTools } : {}),
    ...(options.isKnownModel ? { isKnownModel: options.isKnownModel } : {}),
  };
}
