import { SAFE_ENV_VARIABLES } from '../../config/index.ts';
import { type BashAnalysis, DYNAMIC } from './bash-commands.ts';
import { coversCommand, unnamedOptions } from './bash-rules.ts';
import { bashAllowed, type CallFacts, type CompiledRule } from './compiled-rules.ts';
import type { PermissionMode } from './permission-policy.ts';
import type { ProtectedPaths } from './protected-paths.ts';
import { EDIT_TOOLS } from './rule-syntax.ts';
import type { SecretPaths } from './secret-paths.ts';

/** One decision, as the engine enforces it and the audit log records it. */
export interface PolicyDecision {
  decision: 'allowed' | 'denied';
  mode: PermissionMode;
  /** The rule that decided, as written, and the file it is in; absent when no rule matched. */
  rule?: string;
  source?: string;
  /** Why, in words a model can act on. */
  reason: string;
  hint?: string;
}

const SECRET_SOURCE = 'default secret list';
const PROTECTED_SOURCE = 'protected control paths';
/** Redirection targets that are not files. */
const DEVICES = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty']);
const SETTINGS_HINT =
  'If the user wants this allowed, they add an allow rule (e.g. `Bash(npm test:*)`) to .claude/settings.json or `permissions.allow` in .codex-task/config.json.';

/**
 * Deny wins over ask, ask over allow. A call no rule mentions is allowed (the agent was given the
 * tool), except: a tool with specific allow rules (`Bash(npm test:*)`, `Edit(src/**)`) is
 * allow-listed, so its other calls are asks; and in plan mode edits, Bash and MCP tools need an
 * explicit allow rule. An ask cannot be answered in an unattended run: it resolves by mode.
 */
export function decide(
  facts: CallFacts,
  rules: readonly CompiledRule[],
  mode: PermissionMode,
  secrets: SecretPaths,
  controls?: ProtectedPaths,
  /** Allow rules that may lift plan mode (the user's, a trusted project's); default: every allow rule. */
  lifting?: readonly CompiledRule[],
): PolicyDecision {
  const { name } = facts;
  const planGated =
    mode === 'plan' && (EDIT_TOOLS.includes(name) || name === 'Bash' || name.startsWith('mcp__'));
  const planDenial = (): PolicyDecision =>
    deny(
      `${name} denied: this agent runs in plan mode, which makes no changes (edits, Bash and MCP tools need an explicit allow rule${lifting ? ' of yours or of a workspace you trusted' : ''})`,
      'Read and plan only; describe the changes instead of making them.',
    );
  const deny = (reason: string, hint?: string, rule?: CompiledRule): PolicyDecision => ({
    decision: 'denied',
    mode,
    ...(rule ? { rule: rule.text, source: rule.source } : {}),
    reason,
    ...(hint ? { hint } : {}),
  });
  const allow = (reason: string, rule?: CompiledRule): PolicyDecision => ({
    decision: 'allowed',
    mode,
    ...(rule ? { rule: rule.text, source: rule.source } : {}),
    reason,
  });

  for (const p of facts.paths ?? []) {
    const pattern = secrets.patternOf(p);
    if (pattern !== undefined) {
      return {
        ...deny(
          `${name} denied: ${p} is a secret (matches \`${pattern}\` of the secret deny list)`,
          'Secrets (.env files, keys, credentials) are never read, listed or changed by subagents. Work without it, or ask the user to provide the value you need.',
        ),
        rule: pattern,
        source: SECRET_SOURCE,
      };
    }
  }

  if (EDIT_TOOLS.includes(name)) {
    for (const p of facts.paths ?? []) {
      const refused = protectedWrite(p, name);
      if (refused) return refused;
    }
  }

  const mine = rules.filter((r) => r.appliesTo(name));
  const analysis: BashAnalysis | undefined = facts.bash?.();
  const specificBash = mine.some((r) => r.parsed.kind === 'bash' && !r.whole);
  if (analysis && !analysis.ok && specificBash) {
    return deny(`Bash denied: ${analysis.reason}, so the permission rules cannot be checked.`, analysis.hint);
  }

  const redirected = checkRedirects();
  if (redirected) return redirected;

  const denyRule = mine.find((r) => r.behavior === 'deny' && r.touches(facts));
  if (denyRule)
    return deny(
      `${name} denied by the rule \`${denyRule.text}\` (${denyRule.source})`,
      'Deny rules hold in every permission mode; do the task another way.',
      denyRule,
    );

  const askRule = mine.find((r) => r.behavior === 'ask' && r.touches(facts));
  if (askRule) return ask(`the rule \`${askRule.text}\` (${askRule.source}) requires approval`, askRule);

  // Each group of allow rules is its own allow-list, and a call must pass every one: the user's
  // (and a trusted workspace's) rules decide what is allowed; an untrusted repository's rules can
  // narrow that further but never add to it.
  const allows = mine.filter((r) => r.behavior === 'allow');
  const groups = lifting
    ? [allows.filter((r) => lifting.includes(r)), allows.filter((r) => !lifting.includes(r))]
    : [allows, []];
  const coveredBy: CompiledRule[] = [];
  for (const group of groups) {
    if (group.length === 0) continue;
    const verdict = allowList(group);
    if (!Array.isArray(verdict)) return verdict;
    coveredBy.push(...verdict);
  }
  if (coveredBy.length > 0) {
    const reason = `allowed by ${[...new Set(coveredBy.map((r) => `\`${r.text}\``))].join(', ')}`;
    // Plan mode's "explicit allow rule" must be one the repository alone could not have written.
    return planGated && groups[0]!.length === 0 ? planDenial() : allow(reason, coveredBy[0]);
  }
  if (planGated) return planDenial();
  return allow('no rule applies; the tool is granted to this agent');

  /** The rules of one allow-list that cover this call, or why they do not (an ask). */
  function allowList(group: readonly CompiledRule[]): CompiledRule[] | PolicyDecision {
    if (analysis) {
      const covered = bashAllowed(analysis, group);
      const unsafe = covered.covered && !covered.rules.some((r) => r.whole) && unsafeAssignment(analysis);
      if (unsafe)
        return ask(
          `it sets ${unsafe}, and a specific allow rule (${covered.rules.map((r) => `\`${r.text}\``).join(', ')}) only covers commands that set none but ${SAFE_ENV_VARIABLES.join(', ')}: other variables can make the allowed program run other code`,
        );
      if (covered.covered) return [...covered.rules];
      const loading = unnamedCodeOptions(analysis, group);
      if (loading) return ask(loading);
      return ask(
        `\`${covered.uncovered.replaceAll('\u0000', '…')}\` is not covered by an allow rule (allowed here: ${group.map((r) => `\`${r.text}\``).join(', ')})`,
      );
    }
    const rule = group.find((r) => r.touches(facts));
    if (rule) return [rule];
    return ask(
      `no allow rule covers this call (allowed here: ${group.map((r) => `\`${r.text}\``).join(', ')})`,
    );
  }

  /**
   * Bash's redirections are file access the rules can see: a secret is never opened, an `Edit(…)`
   * deny rule holds for `>` too, and an allow-listed command may not write outside the workspace.
   */
  function checkRedirects(): PolicyDecision | undefined {
    for (const target of facts.redirects ?? []) {
      if (target.computed) {
        if (specificBash)
          return deny(
            'Bash denied: a redirection target is computed when it runs, so the permission rules cannot be checked.',
            'Redirect to a literal file name.',
          );
        // `cd "$d"; echo > config` or `> "$f"` may open .git/config: no mode lets a control file be written.
        if (!target.write || !controls) continue;
        return {
          ...deny(
            'Bash denied: it redirects into a file computed when it runs (a computed name, or a relative name after a `cd` to a computed directory), which could be a protected control path (settings, agents, MCP servers, git hooks and config), in every permission mode',
            'Redirect to a literal file name, and `cd` only to literal directories (or use paths from the workspace root instead).',
          ),
          source: PROTECTED_SOURCE,
        };
      }
      const pattern = secrets.patternOf(target.path);
      if (pattern !== undefined) {
        return {
          ...deny(
            `Bash denied: it redirects ${target.write ? 'into' : 'from'} ${target.path}, a secret (matches \`${pattern}\` of the secret deny list)`,
            'Secrets are never read or changed by subagents.',
          ),
          rule: pattern,
          source: SECRET_SOURCE,
        };
      }
      if (!target.write || DEVICES.has(target.path)) continue;
      const protectedTarget = protectedWrite(target.path, 'Bash', 'redirects into');
      if (protectedTarget) return protectedTarget;
      const editDeny = rules.find(
        (r) =>
          r.behavior === 'deny' && r.appliesTo('Write') && r.touches({ name: 'Write', paths: [target.path] }),
      );
      if (editDeny) {
        return deny(
          `Bash denied: it writes ${target.path}, which the rule \`${editDeny.text}\` (${editDeny.source}) denies`,
          'Deny rules hold in every permission mode; do the task another way.',
          editDeny,
        );
      }
      if (!target.inside && mine.some((r) => r.behavior === 'allow' && !r.whole)) {
        return ask(`it writes ${target.path}, outside the workspace, which no allow rule covers`);
      }
    }
    return undefined;
  }

  /** A write to a protected control path: refused in every mode, naming the rule that would allow it. */
  function protectedWrite(p: string, tool: string, verb = 'writes'): PolicyDecision | undefined {
    const pattern = controls?.patternOf(p);
    if (pattern === undefined) return undefined;
    return {
      ...deny(
        `${tool} denied: it ${verb} ${p}, a protected control path (matches \`${pattern}\`: settings, agents, MCP servers and git hooks decide what later runs may do), in every permission mode`,
        `Do not change it; report the change you wanted instead. If the user wants subagents to write it, they add an allow rule naming the path, e.g. \`${controls!.suggestedRule(p)}\`, to permissions.allow in ~/.codex-task/config.json or .claude/settings.json.`,
      ),
      rule: pattern,
      source: PROTECTED_SOURCE,
    };
  }

  function ask(why: string, rule?: CompiledRule): PolicyDecision {
    if (mode === 'bypassPermissions')
      return allow(`${why}; approved by permissionMode bypassPermissions`, rule);
    if (mode === 'acceptEdits' && EDIT_TOOLS.includes(name))
      return allow(`${why}; approved by permissionMode acceptEdits`, rule);
    return deny(
      `${name} denied: ${why}, and nobody can approve it in this unattended run (permissionMode ${mode})`,
      `Do the task without this call, or report that it needs approval. ${SETTINGS_HINT}`,
      rule,
    );
  }
}

/**
 * Why a command an allow rule matches is still not covered by it: it uses an option that makes
 * the program run other code (or write a file of its choosing) and the rule does not name it.
 */
function unnamedCodeOptions(analysis: BashAnalysis, allows: readonly CompiledRule[]): string | undefined {
  if (!analysis.ok) return undefined;
  for (const command of analysis.commands) {
    if (allows.some((r) => r.bashTest && coversCommand(r.bashTest, command))) continue;
    for (const rule of allows) {
      const options = rule.bashTest ? unnamedOptions(rule.bashTest, command) : [];
      if (options.length === 0) continue;
      const words = (command.unwrapped.at(-1) ?? command.words).join(' ').replaceAll(DYNAMIC, '…');
      const named = options.filter((o) => !o.endsWith('<computed>'));
      const why: string[] = [];
      if (named.length > 0)
        why.push(
          `uses ${named.map((o) => `\`${o}\``).join(', ')}, which can make the program run other code: \`${rule.text}\` (${rule.source}) covers ${named.length > 1 ? 'such options' : 'it'} only if it spells ${named.length > 1 ? 'them' : 'it'} out (e.g. \`Bash(node -e:*)\` covers \`node -e\`)`,
        );
      if (named.length < options.length)
        why.push(
          `has an argument computed when it runs, which could be an option that makes the program run other code, so \`${rule.text}\` (${rule.source}) cannot cover it: write the argument out literally`,
        );
      return `\`${words}\` ${why.join('; it ')}`;
    }
  }
  return undefined;
}

/** The first variable the command sets that is not on the safe list. */
function unsafeAssignment(analysis: BashAnalysis): string | undefined {
  if (!analysis.ok) return undefined;
  return analysis.assignments.find(
    (name) =>
      !SAFE_ENV_VARIABLES.some((safe) =>
        safe.endsWith('*') ? name.startsWith(safe.slice(0, -1)) : name === safe,
      ),
  );
}
