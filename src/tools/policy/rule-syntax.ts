/**
 * Claude Code's permission rule syntax: `Tool` or `Tool(specifier)`. Parsing is strict: a rule we
 * cannot read is reported with how to fix it, never guessed at (a misread deny rule would widen).
 */

export type RuleBehavior = 'allow' | 'deny' | 'ask';

/** Which calls a rule's specifier is compared with. */
export type RuleKind = 'tool' | 'bash' | 'read-path' | 'edit-path' | 'domain' | 'mcp' | 'agent';

export interface ParsedRule {
  /** The tool name as written (`Bash`, `Edit`, `mcp__github__create_issue`…). */
  tool: string;
  kind: RuleKind;
  /** What is inside the parentheses, trimmed; absent for whole-tool rules. */
  specifier?: string;
}

/** Tools a `Read(...)` rule covers: everything that shows file names or content. */
export const READ_TOOLS: readonly string[] = ['Read', 'Grep', 'Glob', 'LS', 'NotebookRead'];
/** Tools an `Edit(...)` rule covers: everything that changes files. */
export const EDIT_TOOLS: readonly string[] = ['Edit', 'Write', 'MultiEdit', 'NotebookEdit'];
export const SUBAGENT_TOOLS: readonly string[] = ['Task', 'Agent'];

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const MCP = /^mcp__[A-Za-z0-9_-]+(?:__(?:[A-Za-z0-9_-]+|\*))?$/;
/** Tools whose rules take no specifier in Claude Code: a specifier there is a mistake, not a narrowing. */
const NO_SPECIFIER = new Set(['WebSearch', 'TodoWrite', 'BashOutput', 'KillShell', 'ExitPlanMode']);

export type RuleParse = { ok: true; rule: ParsedRule } | { ok: false; message: string; hint: string };

export function parseRule(text: string): RuleParse {
  const rule = text.trim();
  if (rule === '') return fail('the rule is empty', 'Write a tool name, e.g. `Read` or `Bash(npm test:*)`.');
  if (rule.startsWith('mcp__')) {
    if (!MCP.test(rule)) {
      return fail(
        `\`${rule}\` is not an MCP rule`,
        'Write `mcp__<server>`, `mcp__<server>__<tool>` or `mcp__<server>__*` (no parentheses).',
      );
    }
    return { ok: true, rule: { tool: rule, kind: 'mcp' } };
  }
  const open = rule.indexOf('(');
  if (open === -1) {
    if (!NAME.test(rule))
      return fail(`\`${rule}\` is not a tool name`, 'Write e.g. `Read`, `Bash` or `WebFetch`.');
    return { ok: true, rule: { tool: rule, kind: kindOf(rule) ?? 'tool' } };
  }
  const tool = rule.slice(0, open).trim();
  if (!rule.endsWith(')') || !NAME.test(tool)) {
    return fail(
      `\`${rule}\` is not \`Tool\` or \`Tool(specifier)\``,
      'Close the parenthesis and put nothing after it, e.g. `Bash(git diff *)`.',
    );
  }
  const specifier = rule.slice(open + 1, -1).trim();
  if (specifier === '') {
    return fail(`\`${rule}\` has an empty specifier`, `Write \`${tool}\` for the whole tool.`);
  }
  if (specifier === '*' || specifier === '**')
    return { ok: true, rule: { tool, kind: kindOf(tool) ?? 'tool' } };
  if (NO_SPECIFIER.has(tool)) {
    return fail(`\`${tool}\` takes no specifier`, `Write \`${tool}\` for the whole tool.`);
  }
  const kind = kindOf(tool);
  if (kind === undefined) {
    return fail(
      `\`${tool}(…)\`: codex-task cannot match a specifier for \`${tool}\``,
      `Write \`${tool}\` for the whole tool; specifiers are understood for Bash, Read, Edit (and Write, MultiEdit, Grep, Glob, LS), WebFetch(domain:…) and Task/Agent.`,
    );
  }
  if (kind === 'domain') {
    const domain = /^domain:(.+)$/.exec(specifier)?.[1]?.trim();
    if (!domain || !/^(\*\.)?[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/.test(domain)) {
      return fail(
        `\`${rule}\`: WebFetch rules are \`WebFetch(domain:<host>)\``,
        'Write e.g. `WebFetch(domain:example.com)` or `WebFetch(domain:*.example.com)`.',
      );
    }
    return { ok: true, rule: { tool, kind, specifier: domain.toLowerCase() } };
  }
  if (kind === 'bash' && /:\*./.test(specifier)) {
    return fail(
      `\`${rule}\`: \`:*\` is only valid at the end of a Bash rule`,
      'Write a prefix rule as `Bash(npm run test:*)`, or use a wildcard: `Bash(git * main)`.',
    );
  }
  return { ok: true, rule: { tool, kind, specifier } };
}

function kindOf(tool: string): RuleKind | undefined {
  if (tool === 'Bash') return 'bash';
  if (READ_TOOLS.includes(tool)) return 'read-path';
  if (EDIT_TOOLS.includes(tool)) return 'edit-path';
  if (tool === 'WebFetch') return 'domain';
  if (SUBAGENT_TOOLS.includes(tool)) return 'agent';
  return undefined;
}

function fail(message: string, hint: string): RuleParse {
  return { ok: false, message, hint };
}

/** The tool names a rule is about: `Read(…)` covers the whole read family, `Agent` is `Task`. */
export function toolsCovered(rule: ParsedRule): (name: string) => boolean {
  switch (rule.kind) {
    case 'read-path':
      return (name) => READ_TOOLS.includes(name);
    case 'edit-path':
      return (name) => EDIT_TOOLS.includes(name);
    case 'agent':
      return (name) => SUBAGENT_TOOLS.includes(name);
    case 'mcp': {
      const [, server, tool] = /^mcp__([^_]+(?:_[^_]+)*?)(?:__(.+))?$/.exec(rule.tool) ?? [];
      if (tool === undefined || tool === '*') return (name) => name.startsWith(`mcp__${server}__`);
      return (name) => name === rule.tool;
    }
    default:
      return (name) => name === rule.tool;
  }
}
