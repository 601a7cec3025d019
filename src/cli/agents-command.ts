import { relative } from 'node:path';
import { type AgentProblem, AgentRegistry, effectiveTools, validateAgentPaths } from '../agents/index.ts';
import { TaskEngine } from '../engine/index.ts';
import { resolveModel } from '../models/index.ts';
import { EXIT } from './exit-codes.ts';

function formatProblem(problem: AgentProblem): string {
  const where = `${relative(process.cwd(), problem.file) || problem.file}${problem.line ? `:${problem.line}` : ''}`;
  const field = problem.field ? ` [${problem.field}]` : '';
  const hint = problem.hint ? `\n    fix: ${problem.hint}` : '';
  return `  ${problem.severity === 'error' ? 'error' : 'warning'} ${where}${field}: ${problem.message}${hint}`;
}

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
      errors: problems.filter((p) => p.severity === 'error'),
      warnings: problems.filter((p) => p.severity === 'warning'),
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

/** `codex-task agents list`: name, scope, source file, model → resolved model, effective tools. */
export async function listCommand(opts: { json?: boolean }): Promise<number> {
  const engine = new TaskEngine();
  const agents = engine.agents().list();
  const rows = agents.map((agent) => {
    let resolvedModel: string;
    try {
      resolvedModel = resolveModel(
        { ...(agent.model ? { agentModel: agent.model } : {}), callerModel: 'sonnet' },
        engine.providers,
      ).spec;
    } catch {
      resolvedModel = '(no provider configured)';
    }
    return {
      name: agent.name,
      scope: agent.scope,
      file: agent.file ?? null,
      model: agent.model ?? 'inherit',
      resolvedModel,
      tools: effectiveTools(agent, [...engine.grantableTools]),
    };
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const row of rows) {
    const source = row.file ? relative(process.cwd(), row.file) : row.scope;
    process.stdout.write(
      `${row.name}  (${source})\n  model: ${row.model} → ${row.resolvedModel}\n  tools: ${row.tools.join(', ')}\n`,
    );
  }
  return EXIT.ok;
}
