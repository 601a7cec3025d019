import {
  ACCEPTED_FIELDS,
  CODE_AGENT_NAME,
  checkField,
  FIELD_RULES,
  FILE_AGENT_NAME,
  KNOWN_FIELDS,
  MODEL_ALIASES,
  ONE_LINE_NAME,
  PERMISSION_MODES,
} from './field-schemas.ts';
import type { KnownTools } from './known-tools.ts';
import { didYouMean, nearest, toAgentName } from './suggest.ts';
import { checkSomeToolLeft, type ReportProblem, readToolField } from './tool-fields.ts';
import type { AgentDefinition, AgentProblem, AgentScope, PermissionMode } from './types.ts';

export interface ParseResult {
  /** Absent when there is at least one error: a broken agent is never half-loaded. */
  definition?: AgentDefinition;
  problems: AgentProblem[];
  /** The `name` a file that did not load gives itself, so "not found" can point at it. */
  claimedName?: string;
}

export interface BuildContext {
  /** How problems name the source: a file path, or a label for agents given in code. */
  source: string;
  scope: AgentScope;
  hash: string;
  systemPrompt: string;
  /** Where problems about the body point (files only). */
  bodyLine?: number;
  /** Absolute path, kept on the definition (files only). */
  file?: string;
  /** File lines of fields and of list items (files only). */
  lines?: Record<string, number>;
  itemLines?: Record<string, number[]>;
  /** Where problems about a missing field point: the opening `---` for files. */
  missingLine?: number;
  /** Files must use lowercase-hyphen names; code may use the built-ins' style (`Explore`). */
  nameRule: 'file' | 'code';
  /** Keys the caller already consumed (a code agent's `prompt`), so they are not "unknown". */
  extraKeys?: readonly string[];
  knownTools: KnownTools;
  isKnownModel: (id: string) => boolean;
}

/** Model ids that look deliberate: vendor prefixes, or provider-qualified (`openai/…`, `ollama:…`). */
export function looksLikeModelId(id: string): boolean {
  return /^(?:claude|gpt|chatgpt|o\d|gemini|codex)[\w.-]*$/i.test(id) || /[/:]/.test(id);
}

const SCALAR_FIELDS = [
  'model',
  'permissionMode',
  'maxTurns',
  'temperature',
  'max_tokens',
  'timeout',
  'failover',
] as const;
const KNOWN = new Set(KNOWN_FIELDS);
const ACCEPTED = new Set<string>(ACCEPTED_FIELDS);
const ALIASES = new Set<string>(MODEL_ALIASES);
const TOOLS_LOOKALIKES = new Set(['allowedtools', 'tool']);
const squash = (key: string) => key.toLowerCase().replace(/[-_]/g, '');

/**
 * Turns the raw fields of one agent (frontmatter, or an object given in code) into a definition,
 * reporting every problem at once so a person fixes a file in one pass.
 */
export function buildDefinition(raw: Record<string, unknown>, ctx: BuildContext): ParseResult {
  const problems: AgentProblem[] = [];
  const add: ReportProblem = (severity, field, message, hint, line) => {
    const at = line ?? (field === undefined ? undefined : ctx.lines?.[field]) ?? ctx.missingLine;
    const problem = { severity, file: ctx.source } as AgentProblem;
    if (at !== undefined) problem.line = at;
    if (field !== undefined) problem.field = field;
    problem.message = message;
    if (hint !== undefined) problem.hint = hint;
    problems.push(problem);
  };
  const invalid = (field: string, value: unknown, hint?: string) =>
    add(
      'error',
      field,
      `\`${field}\` must be ${FIELD_RULES[field]!.expected}, got ${show(value)}`,
      hint ?? FIELD_RULES[field]!.hint,
    );

  const name = requiredText(raw, 'name', add, invalid, () => nameHint(ctx));
  if (name !== undefined) checkName(name, ctx.nameRule, add, problems);
  const description = requiredText(
    raw,
    'description',
    add,
    invalid,
    () =>
      'Add `description: …`: when the parent should delegate to this agent (the parent model reads it to choose).',
  );

  // `allowed-tools:` (slash commands' key) and its near-misses: Claude Code ignores them and hands
  // out every tool; here the agent gets only what that key lists — never more by a misspelling.
  const lookalike =
    raw.tools === undefined ? Object.keys(raw).find((key) => TOOLS_LOOKALIKES.has(squash(key))) : undefined;
  const tools = lookalike
    ? (readToolField(
        { tools: raw[lookalike] },
        'tools',
        {
          ...ctx,
          lines: ctx.lines?.[lookalike] !== undefined ? { tools: ctx.lines[lookalike] } : {},
          itemLines: ctx.itemLines?.[lookalike] ? { tools: ctx.itemLines[lookalike] } : {},
        },
        add,
        invalid,
      ) ?? { names: [], text: '' })
    : readToolField(raw, 'tools', ctx, add, invalid);
  const disallowed = readToolField(raw, 'disallowedTools', ctx, add, invalid);
  // `tools: "*"` is Claude Code's own spelling of "all tools".
  const listed = tools && tools !== 'invalid' && !tools.names.includes('*') ? tools : undefined;
  const deny = disallowed && disallowed !== 'invalid' ? disallowed.names : [];
  if (tools !== 'invalid' && disallowed !== 'invalid') checkSomeToolLeft(listed, deny, ctx.knownTools, add);

  const values: Record<string, unknown> = {};
  for (const field of SCALAR_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) continue; // `field:` with no value = not given
    const checked = checkField(field, value);
    if (checked.ok) values[field] = checked.value;
    else if (field === 'permissionMode' && typeof value === 'string')
      invalid(field, value, didYouMean(nearest(value, PERMISSION_MODES)));
    else invalid(field, value);
  }
  const model = values.model as string | undefined;
  if (model !== undefined && !ALIASES.has(model) && !ctx.isKnownModel(model)) {
    add(
      'warning',
      'model',
      `model \`${model}\` is not an alias (${MODEL_ALIASES.join(', ')}); passed to the default provider as a full id`,
      didYouMean(nearest(model, MODEL_ALIASES)) ??
        'Use an alias, or a full id the provider serves (e.g. claude-sonnet-5, gpt-5.5, openai/gpt-5.5).',
    );
  }

  const accepted: Record<string, unknown> = {};
  const unknown: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (ACCEPTED.has(key)) {
      accepted[key] = raw[key];
      // mcpServers is acted on by the MCP client pool (mcp/), `isolation: worktree` by the engine
      // (engine/worktree-isolation.ts): both read it from `accepted`.
      if (key === 'isolation' && raw[key] !== 'worktree')
        add(
          'warning',
          key,
          `\`isolation: ${String(raw[key])}\` is not supported: this agent runs without isolation`,
          'Use `isolation: worktree` (a git worktree of its own), or leave the field out.',
        );
      else if (key !== 'mcpServers' && key !== 'isolation')
        add(
          'warning',
          key,
          `\`${key}\` is accepted, not yet enforced`,
          'codex-task keeps this field but does not act on it yet.',
        );
    } else if (!KNOWN.has(key) && !ctx.extraKeys?.includes(key)) {
      // defineProperty: a `__proto__:` key must become a field, not this object's prototype.
      Object.defineProperty(unknown, key, {
        value: raw[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
      unknownKey(key, raw, ctx, add, problems);
    }
  }

  if (ctx.systemPrompt === '') {
    const hint =
      ctx.nameRule === 'file'
        ? 'Write the agent’s instructions below the closing `---`.'
        : 'Give the agent a `prompt`.';
    add('warning', undefined, 'the body is empty, so the subagent gets no system prompt', hint, ctx.bodyLine);
  }

  if (problems.length > 1) problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  const failed = problems.some((p) => p.severity === 'error');
  if (
    failed ||
    name === undefined ||
    description === undefined ||
    tools === 'invalid' ||
    disallowed === 'invalid'
  ) {
    return typeof raw.name === 'string' && raw.name.trim() !== ''
      ? { problems, claimedName: raw.name.trim() }
      : { problems };
  }
  // Built field by field, in the order people read them, with no keys for absent values.
  const def = { name, description, systemPrompt: ctx.systemPrompt } as AgentDefinition;
  if (listed) {
    def.tools = listed.names;
    def.toolsText = listed.text;
  }
  def.disallowedTools = deny;
  if (model !== undefined) def.model = model;
  if (values.permissionMode !== undefined) def.permissionMode = values.permissionMode as PermissionMode;
  if (values.maxTurns !== undefined) def.maxTurns = values.maxTurns as number;
  if (values.temperature !== undefined) def.temperature = values.temperature as number;
  if (values.max_tokens !== undefined) def.maxTokens = values.max_tokens as number;
  if (values.timeout !== undefined) def.timeoutMs = values.timeout as number;
  if (values.failover !== undefined) def.failover = values.failover as boolean;
  def.accepted = accepted;
  def.unknown = unknown;
  def.scope = ctx.scope;
  if (ctx.file !== undefined) def.file = ctx.file;
  def.hash = ctx.hash;
  return { definition: def, problems };
}

/**
 * Files: Claude Code loads any name, so one outside its documented form loads here too, with the
 * fix; only a name that cannot be shown on one line is refused. Code: the built-ins' style, strictly.
 */
function checkName(
  name: string,
  rule: BuildContext['nameRule'],
  add: ReportProblem,
  problems: AgentProblem[],
): void {
  if ((rule === 'file' ? FILE_AGENT_NAME : CODE_AGENT_NAME).test(name)) return;
  const fixed = toAgentName(name);
  const fix = fixed ? `Use \`name: ${fixed}\`.` : undefined;
  if (!ONE_LINE_NAME.test(name)) {
    add('error', 'name', `\`name\` ${JSON.stringify(name)} must be one line without control characters`, fix);
  } else if (rule === 'file') {
    add(
      'warning',
      'name',
      `\`name\` "${name}" is not lowercase letters, digits, dots and hyphens (Claude Code's documented form); loaded under this name`,
      fix,
    );
    // It loads, as in Claude Code; `agents validate` holds files to the documented form.
    problems.at(-1)!.failsValidation = true;
  } else {
    add('error', 'name', `\`name\` "${name}" may only contain letters, digits, ., - and _`, fix);
  }
}

function requiredText(
  raw: Record<string, unknown>,
  field: 'name' | 'description',
  add: ReportProblem,
  invalid: (field: string, value: unknown) => void,
  hint: () => string,
): string | undefined {
  const value = raw[field];
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    // Often the field is there, misspelled: point at that line instead of asking to add it.
    const misspelt = Object.keys(raw).find((key) => !KNOWN.has(key) && nearest(key, [field]).length > 0);
    add(
      'error',
      field,
      `\`${field}\` is missing`,
      misspelt ? `Rename \`${misspelt}:\` to \`${field}:\`.` : hint(),
    );
    return undefined;
  }
  const checked = checkField(field, value);
  if (!checked.ok) invalid(field, value);
  return checked.ok ? (checked.value as string) : undefined;
}

function nameHint(ctx: BuildContext): string {
  const stem = ctx.file ? toAgentName(ctx.file.replace(/^.*[\\/]/, '').replace(/\.md$/i, '')) : '';
  return `Add \`name: ${stem || 'my-agent'}\` (lowercase letters, digits and hyphens); the name, not the file name, is how the agent is called.`;
}

function unknownKey(
  key: string,
  raw: Record<string, unknown>,
  ctx: BuildContext,
  add: ReportProblem,
  problems: AgentProblem[],
): void {
  const known = [...KNOWN_FIELDS, ...(ctx.extraKeys ?? [])];
  if (TOOLS_LOOKALIKES.has(squash(key))) {
    const consequence =
      raw.tools === undefined
        ? ': Claude Code ignores it and gives this agent every tool; codex-task gives it only the tools listed there'
        : '; ignored (`tools` is set)';
    const problem = `unknown key \`${key}\`${consequence}`;
    add('warning', key, problem, `did you mean \`tools\`? Rename \`${key}:\` to \`tools:\`.`);
    // `agents validate` fails on it, so CI catches the file before Claude Code runs it.
    problems.at(-1)!.failsValidation = true;
    return;
  }
  const same = known.find((f) => squash(f) === squash(key));
  const suggestion = same ? `did you mean \`${same}\`?` : didYouMean(nearest(key, known, 1));
  add('warning', key, `unknown key \`${key}\`; ignored`, suggestion ?? `Known keys: ${known.join(', ')}.`);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
