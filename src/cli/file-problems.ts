import { relative } from 'node:path';
import type { AgentProblem } from '../agents/index.ts';
import { paint } from './output.ts';

/** A path as a person here reads it: relative below the working directory, absolute elsewhere. */
export function where(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** One problem with a file (agent or command), with its place and fix, for the given stream. */
export function formatProblem(problem: AgentProblem, stream: NodeJS.WriteStream = process.stdout): string {
  const at = `${where(problem.file)}${problem.line ? `:${problem.line}` : ''}`;
  const field = problem.field ? ` [${problem.field}]` : '';
  const hint = problem.hint ? `\n    fix: ${problem.hint}` : '';
  const label =
    problem.severity === 'error' || problem.failsValidation
      ? paint('red', 'error', stream)
      : paint('yellow', 'warning', stream);
  return `  ${label} ${at}${field}: ${problem.message}${hint}`;
}
