import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type AgentDefinition,
  type AgentProblem,
  AgentRegistry,
  agentDirectories,
  agentOrigin,
  DEFAULT_KNOWN_TOOLS,
  effectiveTools,
  listAgentFiles,
  parseAgentFile,
  parseAgentSource,
  registryReport,
  type ShadowedAgent,
  summarizeReport,
  validateAgentPaths,
} from '../agents/index.ts';
import { AgentConfigError } from '../errors/index.ts';
import { resolveModel } from '../providers/index.ts';
import { AGENT_TEMPLATES, type AgentTemplateName, renderAgentFile } from './agent-templates.ts';
import { EXIT } from './exit-codes.ts';
import { formatProblem, where } from './file-problems.ts';
import { outputPrefs, paint, printError } from './output.ts';
import { settingsFor } from './settings.ts';

/**
 * `codex-task agents validate [paths…]`: every problem of every file at once. Without paths it checks
 * what a Task started here would see (project agents up to the repository root, then user agents).
 */
export async function validateCommand(
  paths: string[],
  opts: { json?: boolean; cwd?: string },
): Promise<number> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  // One report and one way of counting (`registryReport`, `classifyProblems`), shared with `doctor`.
  const report =
    paths.length > 0
      ? await validateAgentPaths(
          paths.map((path) => resolve(cwd, path)),
          { cwd },
        )
      : registryReport(new AgentRegistry({ cwd, rescanIntervalMs: 0 }));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const problem of [...report.errors, ...report.warnings])
      process.stdout.write(`${formatProblem(problem)}\n`);
    process.stdout.write(`${summarizeReport(report)}\n`);
  }
  return report.errors.length > 0 ? EXIT.failed : EXIT.ok;
}

/**
 * What listing agents needs, without the engine (and the AI SDK behind it): these commands must
 * start fast. The grantable tools are the ones validation knows (`Agent` is `Task`'s alias).
 */
interface Here {
  registry: AgentRegistry;
  settings: ReturnType<typeof settingsFor>;
  grantable: string[];
}

function here(cwd: string | undefined): Here {
  const settings = settingsFor(cwd === undefined ? {} : { cwd });
  return {
    settings,
    registry: new AgentRegistry({ cwd: settings.engine.cwd, homeDir: settings.engine.homeDir }),
    grantable: DEFAULT_KNOWN_TOOLS.available.filter((name) => name !== 'Agent'),
  };
}

function resolvedModelOf(h: Here, agent: AgentDefinition): string {
  // `auto` is decided per task, from its prompt (docs/model-routing.md).
  if (agent.model === 'auto') return 'auto (picked per task)';
  try {
    return resolveModel(
      {
        ...(agent.model ? { agentModel: agent.model } : {}),
        env: h.settings.engine.env,
        callerModel: h.settings.engine.callerModel ?? 'sonnet',
      },
      h.settings.engine.providers,
    ).spec;
  } catch {
    return '(no provider configured: run `codex-task doctor`)';
  }
}

/** `codex-task agents list`: name, source file, scope, model → resolved model, effective tools. */
export async function listCommand(opts: { json?: boolean; cwd?: string }): Promise<number> {
  let h: Here;
  try {
    h = here(opts.cwd);
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  const shadowed = h.registry.shadowed();
  const rows = h.registry.list().map((agent) => ({
    name: agent.name,
    scope: agent.scope,
    file: agent.file ?? null,
    model: agent.model ?? 'inherit',
    resolvedModel: resolvedModelOf(h, agent),
    tools: effectiveTools(agent, h.grantable),
    // Same-named definitions this one hides: which file is used, and which are not.
    shadows: shadowsOf(agent, shadowed),
  }));
  printAgentFileNotices(h.registry);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const row of rows) {
    const source = row.file ? where(row.file) : row.scope;
    const shadows = row.shadows.length > 0 ? `\n  shadows: ${row.shadows.map(where).join(', ')}` : '';
    process.stdout.write(
      `${paint('bold', row.name, process.stdout)}  (${row.scope}: ${source})${shadows}\n  model: ${row.model} → ${row.resolvedModel}\n  tools: ${row.tools.join(', ') || '(none)'}\n`,
    );
  }
  return EXIT.ok;
}

function shadowsOf(agent: AgentDefinition, shadowed: readonly ShadowedAgent[]): string[] {
  const origin = agentOrigin(agent);
  return shadowed.filter((s) => s.used === origin).map((s) => s.shadowed);
}

/** `codex-task agents show <name>`: the effective definition, and what was inherited, overridden or ignored. */
export async function showCommand(name: string, opts: { json?: boolean; cwd?: string }): Promise<number> {
  let h: Here;
  let agent: AgentDefinition;
  try {
    h = here(opts.cwd);
    agent = h.registry.get(name);
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  const shadowed = agentDirectories({ cwd: h.settings.engine.cwd })
    .flatMap(({ dir, scope }) => listAgentFiles(dir).map((file) => ({ file, scope })))
    .filter(({ file }) => file !== agent.file)
    .filter(
      ({ file, scope }) =>
        parseAgentFile(file, { scope }).definition?.name.toLowerCase() === agent.name.toLowerCase(),
    )
    .map(({ file }) => file);
  const view = {
    name: agent.name,
    description: agent.description,
    scope: agent.scope,
    file: agent.file ?? null,
    overrides: shadowed,
    model: {
      written: agent.model ?? null,
      inherited: agent.model === undefined || agent.model === 'inherit',
      resolved: resolvedModelOf(h, agent),
    },
    tools: {
      written: agent.toolsText ?? null,
      inherited: agent.tools === undefined,
      disallowed: agent.disallowedTools,
      effective: effectiveTools(agent, h.grantable),
    },
    limits: {
      maxTurns: agent.maxTurns ?? null,
      timeoutMs: agent.timeoutMs ?? null,
      temperature: agent.temperature ?? null,
      maxTokens: agent.maxTokens ?? null,
    },
    permissionMode: agent.permissionMode ?? null,
    acceptedNotEnforced: agent.accepted,
    ignoredUnknownKeys: agent.unknown,
    systemPrompt: agent.systemPrompt,
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return EXIT.ok;
  }
  const lines = [
    `${paint('bold', agent.name, process.stdout)} — ${agent.description}`,
    `  source:  ${agent.scope}${agent.file ? ` (${where(agent.file)})` : ''}${shadowed.length ? `; overrides ${shadowed.map(where).join(', ')}` : ''}`,
    `  model:   ${view.model.written ?? 'inherit'} → ${view.model.resolved}${view.model.inherited ? ' (inherited from the caller)' : ''}`,
    `  tools:   ${view.tools.effective.join(', ') || '(none)'}${view.tools.inherited ? ' (all tools: no `tools` field)' : ` (written: ${agent.toolsText})`}`,
  ];
  if (agent.disallowedTools.length) lines.push(`  denied:  ${agent.disallowedTools.join(', ')}`);
  const limits = Object.entries(view.limits).filter(([, v]) => v !== null);
  if (limits.length) lines.push(`  limits:  ${limits.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  // mcpServers (the MCP client pool) and `isolation: worktree` (the engine) are acted on.
  const enforced = (key: string) =>
    key === 'mcpServers' || (key === 'isolation' && agent.accepted[key] === 'worktree');
  const notYet = Object.keys(agent.accepted).filter((key) => !enforced(key));
  if (notYet.length) lines.push(`  accepted, not yet enforced: ${notYet.join(', ')}`);
  if (agent.accepted.isolation === 'worktree')
    lines.push('  isolation: worktree (a git worktree of its own per task)');
  if (Object.keys(agent.unknown).length)
    lines.push(`  ignored (unknown keys): ${Object.keys(agent.unknown).join(', ')}`);
  lines.push('', agent.systemPrompt);
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

/** `codex-task agents new <name> [--template …]`: writes a valid agent file into .claude/agents and says where. */
export async function newCommand(name: string, opts: { template?: string; cwd?: string }): Promise<number> {
  const template = (opts.template ?? 'code-reviewer') as AgentTemplateName;
  try {
    if (!(template in AGENT_TEMPLATES)) {
      throw new AgentConfigError(
        `Unknown template '${opts.template}'`,
        `Use one of: ${Object.keys(AGENT_TEMPLATES).join(', ')}.`,
      );
    }
    const text = renderAgentFile(name, template);
    const dir = join(opts.cwd ?? process.cwd(), '.claude', 'agents');
    const file = join(dir, `${name}.md`);
    // Held to what `agents validate` accepts (a name Claude Code loads but does not document fails it).
    const errors = parseAgentSource(file, text).problems.filter(
      (p) => p.severity === 'error' || p.failsValidation,
    );
    if (errors.length > 0)
      throw new AgentConfigError(
        `'${name}' is not a valid agent name: ${errors[0]!.message}`,
        errors[0]!.hint,
        { field: 'name' },
      );
    if (existsSync(file))
      throw new AgentConfigError(
        `${where(file)} already exists`,
        'Pick another name, or edit the existing file.',
        { file },
      );
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text, { flag: 'wx' });
    process.stdout.write(
      `Created ${where(file)} from the ${template} template.\nEdit its prompt and tools, then check it with: codex-task agents validate ${where(file)}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
}

const VALIDATE_POINTER = 'run `codex-task agents validate` for every problem and its fix';

/**
 * What people must hear about the agent files here whenever agents are listed or run: each file
 * that did not load (one line: why, and where to see the rest), and the loud warnings — those
 * `agents validate` fails on although the agent loads (`allowed-tools:`); with `all`, every warning.
 */
export function agentFileNotices(registry: AgentRegistry, warnings: 'none' | 'loud' | 'all'): string[] {
  const err = process.stderr;
  const at = (p: AgentProblem) => `${where(p.file)}${p.line ? `:${p.line}` : ''}`;
  const lines = registry.skipped().map(({ errors }) => {
    const first = errors[0]!;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    return `${paint('red', 'skipped', err)} ${at(first)}: ${first.message}${more} — ${VALIDATE_POINTER}`;
  });
  if (warnings === 'none') return lines;
  for (const p of registry.problems()) {
    if (p.severity !== 'warning' || (warnings === 'loud' && !p.failsValidation)) continue;
    const field = p.field ? ` [${p.field}]` : '';
    lines.push(
      `${paint('yellow', 'warning', err)} ${at(p)}${field}: ${p.message}${p.hint ? `\n  fix: ${p.hint}` : ''}`,
    );
  }
  return lines;
}

/**
 * Says on stderr, before agents are listed or run, what `agentFileNotices` finds: skipped files
 * always (they are errors), loud warnings unless --quiet, every warning with --verbose.
 */
export function printAgentFileNotices(registry: AgentRegistry): void {
  const level = outputPrefs.verbose ? 'all' : outputPrefs.quiet ? 'none' : 'loud';
  for (const line of agentFileNotices(registry, level)) process.stderr.write(`${line}\n`);
}
