import {
  grantedAs,
  isMcpToolName,
  isSubagentTool,
  type KnownTools,
  NOT_YET_HINTS,
  splitToolRule,
  subagentToolAlias,
  TASK_LIST_TOOLS,
} from './known-tools.ts';
import { didYouMean, nearest } from './suggest.ts';

export interface ToolEntry {
  name: string;
  line?: number;
}

/**
 * Splits `tools:` into entries, whatever form it was written in. Commas inside parentheses belong
 * to the entry (`Task(a, b)`); a YAML flow list cuts `[Read, Task(a, b)]` there anyway, so list
 * items with unbalanced parentheses are joined back together.
 */
export function toolEntries(
  value: string | readonly string[],
  line?: number,
  itemLines?: number[],
): ToolEntry[] {
  const pieces = typeof value === 'string' ? [value] : value;
  if (!pieces.some((piece) => piece.includes('('))) return simpleEntries(pieces, line, itemLines);
  const out: ToolEntry[] = [];
  let current = '';
  let currentLine: number | undefined;
  let depth = 0;
  const flush = () => {
    const name = current.trim();
    if (name !== '') out.push(currentLine === undefined ? { name } : { name, line: currentLine });
    current = '';
    currentLine = undefined;
  };
  pieces.forEach((piece, i) => {
    if (depth > 0) current += ', ';
    else flush();
    for (const ch of piece) {
      if (ch === ',' && depth === 0) {
        flush();
        continue;
      }
      if (currentLine === undefined) currentLine = itemLines?.[i] ?? line;
      if (ch === '(') depth++;
      else if (ch === ')' && depth > 0) depth--;
      current += ch;
    }
  });
  flush();
  return out;
}

/** The common case, without parentheses: a plain split (this runs for every file loaded). */
function simpleEntries(pieces: readonly string[], line?: number, itemLines?: number[]): ToolEntry[] {
  const out: ToolEntry[] = [];
  pieces.forEach((piece, i) => {
    const at = itemLines?.[i] ?? line;
    for (const part of piece.split(',')) {
      const name = part.trim();
      if (name !== '') out.push(at === undefined ? { name } : { name, line: at });
    }
  });
  return out;
}

export interface ToolNameIssue {
  message: string;
  hint: string;
}

/**
 * Why an entry will not become a tool, or undefined when it will. Claude Code drops such entries
 * without a word; we drop them too (so the agent behaves the same) but say so.
 */
export function checkToolEntry(entry: string, field: string, known: KnownTools): ToolNameIssue | undefined {
  if (entry === '*' || isMcpToolName(entry)) return undefined;
  const { base, args } = splitToolRule(entry);
  const alias = subagentToolAlias(base) ?? grantedAs(base);
  if (known.available.includes(base) || (alias !== undefined && known.available.includes(alias))) {
    if (args === undefined || isSubagentTool(base)) return undefined;
    return field === 'tools'
      ? {
          message: `\`${entry}\`: argument rules are only understood for Task/Agent here, so this entry is dropped rather than granting all of ${base}`,
          hint: `List \`${base}\` to grant the whole tool, or leave it out.`,
        }
      : {
          message: `\`${entry}\`: argument rules are only understood for Task/Agent here, so all of ${base} is disallowed`,
          hint: `Keep it to deny ${base} entirely, or write \`${base}\` to make that explicit.`,
        };
  }
  if (known.claudeCodeOnly.includes(base)) {
    return {
      message: `\`${base}\` is known to Claude Code, not available in codex-task yet; dropped`,
      hint: NOT_YET_HINTS[base] ?? `Available tools: ${known.available.join(', ')}.`,
    };
  }
  const all = [...known.available, ...known.claudeCodeOnly, ...TASK_LIST_TOOLS];
  const sameLetters = all.find((t) => t.toLowerCase() === base.toLowerCase());
  if (sameLetters) {
    return {
      message: `unknown tool \`${base}\` (tool names are case-sensitive); dropped`,
      hint: `did you mean \`${sameLetters}\`?`,
    };
  }
  const suggestion = didYouMean(nearest(base, all));
  const commaHint = /\s/.test(base) ? 'Separate tool names with commas. ' : '';
  return {
    message: `unknown tool \`${base}\`; dropped`,
    hint: `${commaHint}${suggestion ?? `Available tools: ${known.available.join(', ')}; MCP tools are written mcp__<server>__<tool>.`}`,
  };
}
