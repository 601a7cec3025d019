import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AgentDefinition,
  type AgentProblem,
  AgentRegistry,
  agentDirectories,
  DEFAULT_KNOWN_TOOLS,
  effectiveTools,
  listAgentFiles,
  parseAgentFile,
  parseAgentSource,
  validateAgentPaths,
} from '../agents/index.ts';
import { AgentConfigError } from '../errors/index.ts';
import { resolveModel } from '../providers/index.ts';
import { AGENT_TEMPLATES, type AgentTemplateName, renderAgentFile } from './agent-templates.ts';
import { EXIT } from './exit-codes.ts';
import { formatProblem, where } from './file-problems.ts';
import { paint, printError } from './output.ts';
import { settingsFor } from './settings.ts';

/**
 * `codex-task agents validate [paths…]`: every problem of every file at once. Without paths it checks
 * what a Task started here would see (project agents up to the repository root, then user agents).
 */
export async function validateCommand(paths: string[], opts: { json?: boolean }): Promise<number> {
  let report: { files: string[]; agents: string[]; errors: AgentProblem[]; warnings: AgentProblem[] };
  if (paths.length > 0) {
    report = await validateAgentPaths(paths);
  } else {
    const registry = new AgentRegistry({ cwd: process.cwd(), rescanIntervalMs: 0 });
    const agents = registry.list().filter((a) => a.scope !== 'builtin');
    const problems = registry.problems();
    report = {
      files: [...new Set([...agents.flatMap((a) => a.file ?? []), ...problems.map((p) => p.file)])].sort(),
      agents: agents.map((a) => a.name),
      errors: problems.filter((p) => p.severity === 'error' || p.failsValidation),
      warnings: problems.filter((p) => p.severity === 'warning' && !p.failsValidation),
    };
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const problem of [...report.errors, ...report.warnings])
      process.stdout.write(`${formatProblem(problem)}\n`);
    process.stdout.write(
      `${report.files.length} file(s), ${report.agents.length} valid agent(s), ${report.errors.length} error(s), ${report.warnings.length} warning(s)\n`,
    );
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

function here(): Here {
  const settings = settingsFor();
  return {
    settings,
    registry: new AgentRegistry({ cwd: settings.engine.cwd, homeDir: settings.engine.homeDir }),
    grantable: DEFAULT_KNOWN_TOOLS.available.filter((name) => name !== 'Agent'),
  };
}

function resolvedModelOf(h: Here, agent: AgentDefinition): string {
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
export async function listCommand(opts: { json?: boolean }): Promise<number> {
  let h: Here;
  try {
    h = here();
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  const rows = h.registry.list().map((agent) => ({
    name: agent.name,
    scope: agent.scope,
    file: agent.file ?? null,
    model: agent.model ?? 'inherit',
    resolvedModel: resolvedModelOf(h, agent),
    tools: effectiveTools(agent, h.grantable),
  }));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const row of rows) {
    const source = row.file ? where(row.file) : row.scope;
    process.stdout.write(
      `${paint('bold', row.name, process.stdout)}  (${row.scope}: ${source})\n  model: ${row.model} → ${row.resolvedModel}\n  tools: ${row.tools.join(', ')}\n`,
    );
  }
  return EXIT.ok;
}

/** `codex-task agents show <name>`: the effective definition, and what was inherited, overridden or ignored. */
export async function showCommand(name: string, opts: { json?: boolean }): Promise<number> {
  let h: Here;
  let agent: AgentDefinition;
  try {
    h = here();
    agent = h.registry.get(name);
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  const shadowed = agentDirectories({ cwd: process.cwd() })
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
    `  tools:   ${view.tools.effective.join(', ')}${view.tools.inherited ? ' (all tools: no `tools` field)' : ` (written: ${agent.toolsText})`}`,
  ];
  if (agent.disallowedTools.length) lines.push(`  denied:  ${agent.disallowedTools.join(', ')}`);
  const limits = Object.entries(view.limits).filter(([, v]) => v !== null);
  if (limits.length) lines.push(`  limits:  ${limits.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (Object.keys(agent.accepted).length)
    lines.push(`  accepted, not yet enforced: ${Object.keys(agent.accepted).join(', ')}`);
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
    const errors = parseAgentSource(file, text).problems.filter((p) => p.severity === 'error');
    if (errors.length > 0)
      throw new AgentConfigError(
        `'${name}' is not a valid agent name: ${errors[0]!.message}`,
        errors[0]!.hint,
      );
    if (existsSync(file))
      throw new AgentConfigError(
        `${where(file)} already exists`,
        'Pick another name, or edit the existing file.',
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
