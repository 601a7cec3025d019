import { analyzeBash, type BashAnalysis } from './bash-commands.ts';
import { compileBashRule, coversCommand, touchesCommand } from './bash-rules.ts';
import { compilePathPattern, type PathBases } from './path-pattern.ts';
import { type ParsedRule, type RuleBehavior, toolsCovered } from './rule-syntax.ts';

/** What a rule is compared with, taken once from a call's arguments. */
export interface CallFacts {
  name: string;
  /** Absolute paths the call touches: as written and as resolved through symlinks. */
  paths?: string[];
  /** The Bash command, parsed on first use. */
  bash?: () => BashAnalysis;
  /** Files Bash's redirections open, resolved like file tools' paths (`computed` when not static). */
  redirects?: { path: string; write: boolean; inside: boolean; computed: boolean }[];
  /** WebFetch's host, lowercase. */
  host?: string;
  /** Task's `subagent_type`. */
  agentType?: string;
}

export interface CompiledRule {
  text: string;
  behavior: RuleBehavior;
  /** File the rule was written in (or a label such as `default secret list`). */
  source: string;
  parsed: ParsedRule;
  appliesTo(name: string): boolean;
  /** True when the rule is about the whole tool (no specifier). */
  whole: boolean;
  /** Deny/ask sense: does the rule touch any part of the call? */
  touches(facts: CallFacts): boolean;
  /** For Bash allow rules: does it cover this one simple command? (Other kinds: touches.) */
  bashTest?: (words: readonly string[]) => boolean;
}

export function compileRule(
  parsed: ParsedRule,
  meta: { text: string; behavior: RuleBehavior; source: string; bases: PathBases },
): CompiledRule {
  const appliesTo = toolsCovered(parsed);
  const base = { ...meta, parsed, appliesTo, whole: parsed.specifier === undefined };
  const spec = parsed.specifier;
  if (spec === undefined) return { ...base, touches: () => true };
  switch (parsed.kind) {
    case 'read-path':
    case 'edit-path': {
      const matches = compilePathPattern(spec, meta.bases);
      return { ...base, touches: (f) => (f.paths ?? []).some(matches) };
    }
    case 'bash': {
      const test = compileBashRule(spec);
      return {
        ...base,
        bashTest: test,
        touches: (f) => {
          const analysis = f.bash?.();
          // A command we cannot take apart might be anything: a deny or ask rule must hold.
          if (!analysis?.ok) return true;
          return analysis.commands.some((c) => touchesCommand(test, c));
        },
      };
    }
    case 'domain':
      return { ...base, touches: (f) => f.host !== undefined && hostMatches(spec, f.host) };
    case 'agent':
      return { ...base, touches: (f) => f.agentType?.toLowerCase() === spec.toLowerCase() };
    default:
      return { ...base, touches: () => true };
  }
}

export function hostMatches(pattern: string, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (pattern.startsWith('*.')) return h.endsWith(pattern.slice(1));
  return h === pattern;
}

/** Bash allow rules: the command is allowed when every simple command in it is covered by one. */
export function bashAllowed(
  analysis: BashAnalysis,
  allowRules: readonly CompiledRule[],
): { covered: true; rules: CompiledRule[] } | { covered: false; uncovered: string } {
  const whole = allowRules.find((r) => r.whole);
  if (whole) return { covered: true, rules: [whole] };
  if (!analysis.ok) return { covered: false, uncovered: '' };
  const used: CompiledRule[] = [];
  for (const command of analysis.commands) {
    const rule = allowRules.find((r) => r.whole || (r.bashTest && coversCommand(r.bashTest, command)));
    if (!rule) return { covered: false, uncovered: (command.unwrapped.at(-1) ?? command.words).join(' ') };
    if (!used.includes(rule)) used.push(rule);
  }
  return { covered: true, rules: used };
}

export { analyzeBash };
