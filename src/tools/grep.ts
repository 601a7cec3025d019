import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { ToolExecutionError } from '../errors/index.ts';
import { defineTool } from './define-tool.ts';
import { errorCode } from './fs-utils.ts';
import { GREP_DESCRIPTION } from './grep.description.ts';
import { compileRegex, searchWithJs } from './grep-js.ts';
import { searchWithRipgrep } from './grep-ripgrep.ts';
import { formatHits, type GrepQuery, HitCollector, INVALID_REGEX_HINT } from './grep-search.ts';
import type { ToolContext, ToolSpec } from './types.ts';
import { resolveWorkspacePath } from './workspace-path.ts';

const contextLines = z.number().int().min(0);
const inputSchema = z.object({
  pattern: z.string().describe('The regular expression to search for in file contents'),
  path: z.string().optional().describe('File or directory to search in; defaults to the workspace root'),
  glob: z
    .string()
    .optional()
    .describe('Glob pattern to filter files (e.g. "*.js", "*.{ts,tsx}") - rg --glob'),
  type: z.string().optional().describe('File type to search (e.g. js, py, rust, go, java) - rg --type'),
  output_mode: z
    .enum(['content', 'files_with_matches', 'count'])
    .optional()
    .describe(
      'Output mode: "content" shows matching lines, "files_with_matches" shows file paths (default), "count" shows match counts',
    ),
  '-i': z.boolean().optional().describe('Case insensitive search (rg -i)'),
  '-n': z
    .boolean()
    .optional()
    .describe('Show line numbers in output (rg -n); content mode only; default true'),
  '-A': contextLines
    .optional()
    .describe('Number of lines to show after each match (rg -A); content mode only'),
  '-B': contextLines
    .optional()
    .describe('Number of lines to show before each match (rg -B); content mode only'),
  '-C': contextLines
    .optional()
    .describe('Number of lines to show before and after each match (rg -C); content mode only'),
  multiline: z
    .boolean()
    .optional()
    .describe(
      'Enable multiline mode where . matches newlines and patterns can span lines (rg -U --multiline-dotall)',
    ),
  head_limit: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Limit output to the first N lines/entries, like "| head -N"; 0 or omitted means no limit'),
});
export type GrepInput = z.infer<typeof inputSchema>;

/** 'auto' uses ripgrep when `rg` is on PATH and the JavaScript engine otherwise. */
export type GrepEngine = 'auto' | 'ripgrep' | 'js';

export interface GrepToolOptions {
  engine?: GrepEngine;
  /** The ripgrep executable (default: `rg` from the system directories, or PATH outside the project). */
  ripgrepCommand?: string;
}

/** Builds a Grep tool; tests use it to force one engine. The built-in one is `grepTool` (auto). */
export function createGrepTool(options: GrepToolOptions = {}): ToolSpec<GrepInput> {
  return defineTool<GrepInput>({
    name: 'Grep',
    description: GREP_DESCRIPTION,
    inputSchema,
    readOnly: true,
    execute: (input, ctx) => runGrep(input, ctx, options),
  });
}

export const grepTool = createGrepTool();

async function runGrep(input: GrepInput, ctx: ToolContext, options: GrepToolOptions): Promise<string> {
  const query = await buildQuery(input, ctx);
  const engine = options.engine ?? 'auto';
  // Nothing is collected past what the result can show: the head_limit, or the character budget.
  const newCollector = (): HitCollector =>
    new HitCollector(
      query.mode === 'content' && input.head_limit ? input.head_limit : Number.POSITIVE_INFINITY,
      query.mode === 'content' ? ctx.limits.resultLimitChars : Number.POSITIVE_INFINITY,
    );
  let collector = newCollector();
  let useJs = engine === 'js';
  if (!useJs) {
    const outcome = await searchWithRipgrep(query, collector, ctx.signal, options.ripgrepCommand);
    if (outcome.status === 'unavailable') {
      if (engine === 'ripgrep') throw new ToolExecutionError('ripgrep (rg) is not installed or not on PATH.');
      useJs = true;
    } else if (outcome.status === 'regex-error') {
      // ripgrep's regex engine has no look-around or backreferences; JavaScript's has.
      try {
        compileRegex(query.pattern, query);
      } catch {
        throw new ToolExecutionError(`Invalid regular expression:\n${outcome.message}`, INVALID_REGEX_HINT);
      }
      collector = newCollector();
      useJs = true;
    }
  }
  if (useJs) await searchWithJs(query, collector, ctx.signal);
  return formatHits(collector.files, query, {
    lineNumbers: input['-n'] ?? true,
    headLimit: input.head_limit || undefined,
    incomplete: collector.full,
  });
}

async function buildQuery(input: GrepInput, ctx: ToolContext): Promise<GrepQuery> {
  const target = await resolveWorkspacePath(ctx.workspaceRoot, input.path ?? '.');
  const stats = await stat(target.realPath).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') {
      throw new ToolExecutionError(
        `Path does not exist: ${target.path}`,
        'Give an existing file or directory as path, or leave it out to search the whole workspace.',
      );
    }
    throw error;
  });
  const multiline = input.multiline ?? false;
  // A newline can never match inside one line; ripgrep refuses such a pattern, and so do we.
  if (!multiline && /(^|[^\\])(\\\\)*(\\n|\n)/.test(input.pattern)) {
    throw new ToolExecutionError(
      'The pattern contains a newline (\\n), which cannot match within a single line.',
      'Set multiline: true to let the pattern span lines.',
    );
  }
  const mode = input.output_mode ?? 'files_with_matches';
  const context = input['-C'] ?? 0;
  return {
    pattern: input.pattern,
    root: target.realPath,
    rootIsFile: !stats.isDirectory(),
    ...(ctx.permissions?.hidesPath ? { hidden: (p: string) => ctx.permissions!.hidesPath!(p) } : {}),
    ...(input.glob ? { glob: input.glob } : {}),
    ...(input.type ? { type: input.type } : {}),
    caseInsensitive: input['-i'] ?? false,
    multiline,
    mode,
    before: mode === 'content' ? (input['-B'] ?? context) : 0,
    after: mode === 'content' ? (input['-A'] ?? context) : 0,
  };
}
