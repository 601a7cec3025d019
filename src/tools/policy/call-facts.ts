import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../workspace-path.ts';
import { analyzeBash, type BashAnalysis, DYNAMIC } from './bash-commands.ts';
import type { CallFacts } from './compiled-rules.ts';
import { EDIT_TOOLS, READ_TOOLS } from './rule-syntax.ts';

/** Argument names holding the path of each file tool (Claude Code's). */
const PATH_ARGUMENTS: Record<string, string> = {
  Read: 'file_path',
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
  NotebookRead: 'notebook_path',
  Grep: 'path',
  Glob: 'path',
  LS: 'path',
};

/**
 * The facts rules are matched against, from a call's raw arguments. Paths are taken as the file
 * tool will (relative to the workspace, `~` at home) and also through their symlinks, so a rule on
 * either spelling holds. Arguments the tool would reject anyway give no facts: the tool refuses them.
 */
export async function callFacts(
  name: string,
  input: unknown,
  where: { workspaceRoot: string; home: string },
): Promise<CallFacts> {
  const args = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const facts: CallFacts = { name };
  const argument = PATH_ARGUMENTS[name];
  if (argument !== undefined || READ_TOOLS.includes(name) || EDIT_TOOLS.includes(name)) {
    const raw = typeof args[argument ?? ''] === 'string' ? (args[argument ?? ''] as string) : '.';
    const requested =
      raw === '~' || raw.startsWith('~/')
        ? path.join(where.home, raw.slice(1))
        : path.resolve(where.workspaceRoot, raw);
    facts.paths = [...new Set([requested, await realpathLoose(requested)])];
    if (name === 'Glob' && typeof args.pattern === 'string' && !/[*?[{]/.test(args.pattern)) {
      facts.paths.push(path.resolve(requested, args.pattern));
    }
  }
  if (name === 'Bash') {
    const command = typeof args.command === 'string' ? args.command : '';
    const analysis: BashAnalysis = analyzeBash(command);
    facts.bash = () => analysis;
    if (analysis.ok) {
      facts.redirects = [];
      for (const { path: target, write } of analysis.redirects) {
        // `~user`, `~+` and `~-` are expanded by the shell to a home, $PWD or $OLDPWD we cannot know here.
        const computed = target.includes(DYNAMIC) || (/^~./.test(target) && !target.startsWith('~/'));
        const abs =
          target === '~' || target.startsWith('~/')
            ? path.join(where.home, target.slice(1))
            : path.resolve(where.workspaceRoot, target);
        const inside = !computed && isInside(where.workspaceRoot, abs);
        facts.redirects.push({ path: abs, write, computed, inside });
        // A symlink to a secret or a control file is opened through: check where it leads too.
        const real = computed ? abs : await realpathLoose(abs);
        if (real !== abs)
          facts.redirects.push({ path: real, write, computed, inside: isInside(where.workspaceRoot, real) });
      }
    }
  }
  if (name === 'WebFetch' && typeof args.url === 'string') {
    try {
      facts.host = new URL(args.url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
    } catch {
      // Not a URL: WebFetch itself refuses it.
    }
  }
  if (name === 'Task' || name === 'Agent') {
    facts.agentType = typeof args.subagent_type === 'string' ? args.subagent_type : 'general-purpose';
  }
  return facts;
}

/** The real path of `p`, or of its nearest existing ancestor with the rest appended. */
async function realpathLoose(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    const parent = path.dirname(p);
    return parent === p ? p : path.join(await realpathLoose(parent), path.basename(p));
  }
}
