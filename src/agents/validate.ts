import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AgentRegistry } from './agent-registry.ts';
import { listAgentFiles, mergeAgents } from './discover.ts';
import { configuredMcpServers, mcpToolProblems } from './mcp-tools.ts';
import {
  type AgentParseOptions,
  type ParseResult,
  parseAgentSource,
  unreadable,
} from './parse-agent-file.ts';
import type { AgentDefinition, AgentProblem } from './types.ts';

/** What `codex-task agents validate --json` prints; plain JSON data, nothing else. */
export interface ValidationReport {
  /** Every file examined, as reached from the given paths. */
  files: string[];
  /** Names of the agents that loaded, one per valid file, in file order. */
  agents: string[];
  errors: AgentProblem[];
  warnings: AgentProblem[];
}

export interface ValidateOptions extends AgentParseOptions {
  /** MCP servers configured here (default: the nearest `.mcp.json` from `cwd`). */
  mcpServers?: readonly string[];
  /** Where `.mcp.json` is looked up from (default: the process's working directory). */
  cwd?: string;
}

/** Files read at once: enough to overlap I/O, few enough to stay far from the fd limit. */
const READ_BATCH = 64;

/**
 * The one rule for what fails validation: errors, and the warnings marked `failsValidation` (the
 * agent loads, but CI should stop it, e.g. `allowed-tools:`). Those are reported as errors, so
 * the JSON and the text output — and `doctor` — say and count the same thing.
 */
export function classifyProblems(problems: readonly AgentProblem[]): {
  errors: AgentProblem[];
  warnings: AgentProblem[];
} {
  const errors: AgentProblem[] = [];
  const warnings: AgentProblem[] = [];
  for (const problem of problems) {
    if (problem.severity === 'error') errors.push(problem);
    else if (problem.failsValidation) errors.push({ ...problem, severity: 'error' });
    else warnings.push(problem);
  }
  return { errors, warnings };
}

/** `3 file(s), 2 valid agent(s), 1 error(s), 0 warning(s)`: the count `validate` and `doctor` print. */
export function summarizeReport(report: ValidationReport): string {
  return `${report.files.length} file(s), ${report.agents.length} valid agent(s), ${report.errors.length} error(s), ${report.warnings.length} warning(s)`;
}

/** The report for what a registry sees (a Task started in its directory): its files and problems. */
export function registryReport(registry: AgentRegistry): ValidationReport {
  const files = registry.files();
  return {
    files: files.map((f) => f.file),
    agents: files.flatMap((f) => (f.result.definition ? [f.result.definition.name] : [])),
    ...classifyProblems(registry.problems()),
  };
}

/**
 * Checks agent files and directories (recursively). Each path is a unit on its own: a broken file
 * is reported and skipped without hiding the others, and duplicate names are reported within one
 * given directory (where they would clash), not across the paths given.
 */
export async function validateAgentPaths(
  paths: readonly string[],
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  const report: ValidationReport = { files: [], agents: [], errors: [], warnings: [] };
  const problems: AgentProblem[] = [];
  const servers = options.mcpServers ?? configuredMcpServers(options.cwd ?? process.cwd());
  const levels: AgentDefinition[][] = [];
  const done = new Set<string>();
  for (const path of paths) {
    const files = await filesOf(path, problems);
    const todo = files.filter((file) => !done.has(resolve(file)));
    for (const file of todo) done.add(resolve(file));
    const level: AgentDefinition[] = [];
    for (let i = 0; i < todo.length; i += READ_BATCH) {
      const batch = todo.slice(i, i + READ_BATCH);
      const results = await Promise.all(batch.map((file) => parseFile(file, options)));
      results.forEach((result, j) => {
        report.files.push(batch[j]!);
        problems.push(...result.problems);
        if (result.definition) {
          report.agents.push(result.definition.name);
          level.push(result.definition);
          problems.push(...mcpToolProblems(result.definition, servers, options.knownTools?.available));
        }
      });
    }
    levels.push(level);
  }
  problems.push(...mergeAgents(levels).problems);
  return { ...report, ...classifyProblems(problems) };
}

async function filesOf(path: string, problems: AgentProblem[]): Promise<string[]> {
  try {
    const st = await stat(path);
    // A file named explicitly is checked whatever its extension; directories yield their *.md.
    return st.isDirectory() ? listAgentFiles(path) : [path];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    problems.push({
      severity: 'error',
      file: path,
      message: code === 'ENOENT' ? 'no such file or directory' : `cannot read (${code})`,
      hint: 'Pass agent files or directories that hold them, e.g. .claude/agents.',
    });
    return [];
  }
}

async function parseFile(file: string, options: AgentParseOptions): Promise<ParseResult> {
  try {
    return parseAgentSource(file, await readFile(file), options);
  } catch (error) {
    return { problems: [unreadable(file, error)] };
  }
}
