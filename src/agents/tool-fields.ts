import { effectiveTools } from './effective-tools.ts';
import { checkField } from './field-schemas.ts';
import { isMcpToolName, type KnownTools, toolRuleMatches } from './known-tools.ts';
import { checkToolEntry, toolEntries } from './tool-list.ts';
import type { AgentProblem } from './types.ts';

/** How field readers report a problem; the caller fills in the file and the field's line. */
export type ReportProblem = (
  severity: AgentProblem['severity'],
  field: string | undefined,
  message: string,
  hint?: string,
  line?: number,
) => void;

export interface ToolList {
  names: string[];
  /** As written, for the `(Tools: …)` line shown to the parent model. */
  text: string;
}

/** Parsed `tools`/`disallowedTools`; undefined when absent, 'invalid' after an error. */
export function readToolField(
  raw: Record<string, unknown>,
  field: 'tools' | 'disallowedTools',
  ctx: { lines?: Record<string, number>; itemLines?: Record<string, number[]>; knownTools: KnownTools },
  add: ReportProblem,
  invalid: (field: string, value: unknown) => void,
): ToolList | undefined | 'invalid' {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (value === null) {
    if (field === 'tools') {
      add(
        'warning',
        field,
        '`tools:` is empty, so it counts as omitted: this agent gets all tools',
        'List the tools it needs, e.g. `tools: Read, Grep, Glob`, or remove the line.',
      );
    }
    return undefined;
  }
  const checked = checkField(field, value);
  if (!checked.ok) {
    invalid(field, value);
    return 'invalid';
  }
  const list = unbracket(checked.value as string | string[]);
  const entries = toolEntries(list, ctx.lines?.[field], ctx.itemLines?.[field]);
  const names: string[] = [];
  for (const entry of entries) {
    const issue = checkToolEntry(entry.name, field, ctx.knownTools);
    if (issue) add('warning', field, issue.message, issue.hint, entry.line);
    names.push(entry.name);
  }
  return { names, text: typeof list === 'string' ? list.trim() : names.join(', ') };
}

/**
 * `tools: "[Read, Grep]"`: a flow list read as text, which is what the quoting retry makes of
 * `tools: [Read, Grep]` when another line of the frontmatter is not valid YAML. The list inside the
 * brackets is what the author wrote, and granting it never grants more than they listed.
 */
function unbracket(list: string | string[]): string | string[] {
  if (typeof list !== 'string') return list;
  const text = list.trim();
  return text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : list;
}

/**
 * An agent left with no tools runs, as in Claude Code (it can only answer), but unless the file
 * says so with `tools: []` it is almost always a mistake: every name misspelled, or all denied.
 */
export function checkSomeToolLeft(
  listed: ToolList | undefined,
  deny: readonly string[],
  known: KnownTools,
  add: ReportProblem,
): void {
  const available = known.available;
  if (listed?.names.length === 0) return; // `tools: []`: an advisor that only answers, on purpose
  // The usual case, decided without computing the whole set (this runs for every file loaded).
  if (deny.length === 0 && (listed ? listed.names.some((t) => available.includes(t)) : available.length > 0))
    return;
  const granted = effectiveTools(
    listed ? { tools: listed.names, disallowedTools: deny } : { disallowedTools: deny },
    available,
  );
  if (granted.length > 0) return;
  // MCP tools are configured elsewhere: one that is listed and not denied may well exist.
  if (listed?.names.some((t) => isMcpToolName(t) && !deny.some((rule) => toolRuleMatches(rule, t)))) return;
  add(
    'warning',
    listed ? 'tools' : 'disallowedTools',
    listed
      ? 'no tools are left: every entry in `tools` is unknown, not available, or disallowed, so this agent runs with no tools'
      : '`disallowedTools` removes every tool, so this agent runs with no tools',
    `List at least one of ${available.join(', ')} in \`tools\`, or remove \`tools:\` to allow all tools; write \`tools: []\` if it should have none.`,
  );
}
