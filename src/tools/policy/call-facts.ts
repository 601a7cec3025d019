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
    facts.redirects = analysis.redirects.length > 0 ? await redirectFacts(analysis, where) : [];
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

/**
 * The files Bash's redirections open. A relative target is taken in each directory a `cd` of the
 * command could have moved to (`cd .git; echo >> config` opens .git/config). Targets the shell
 * computes are `computed`: `~user`, `~+` and `~-` (a home, $PWD or $OLDPWD we cannot know here), a
 * relative one after a `cd dir` that `$CDPATH` from the environment may send elsewhere. Given for
 * an analysis that failed too: protected control paths hold with no rule to decide.
 */
async function redirectFacts(
  analysis: BashAnalysis,
  where: { workspaceRoot: string; home: string },
): Promise<NonNullable<CallFacts['redirects']>> {
  const facts: NonNullable<CallFacts['redirects']> = [];
  const fromHome = (p: string) =>
    p === '~' || p.startsWith('~/') ? path.join(where.home, p.slice(1)) : undefined;
  const directories = reachable(analysis.directoryChanges, where.workspaceRoot, fromHome);
  // Too many places to look, or `$CDPATH` may send a `cd dir` anywhere: where relative names open is unknown.
  const unknown = directories === undefined || (analysis.searchesCdpath && Boolean(process.env.CDPATH));
  for (const { path: target, write } of analysis.redirects) {
    const relative = !/^[/~]/.test(target);
    const computed =
      target.includes(DYNAMIC) || (/^~./.test(target) && !target.startsWith('~/')) || (unknown && relative);
    const home = fromHome(target);
    const candidates = home
      ? [home]
      : relative
        ? (directories ?? [where.workspaceRoot]).map((d) => path.resolve(d, target))
        : [target];
    for (const abs of new Set(candidates.map((c) => path.resolve(c)))) {
      const inside = !computed && isInside(where.workspaceRoot, abs);
      facts.push({ path: abs, write, computed, inside });
      // A symlink to a secret or a control file is opened through: check where it leads too.
      const real = computed ? abs : await realpathLoose(abs);
      if (real !== abs)
        facts.push({ path: real, write, computed, inside: isInside(where.workspaceRoot, real) });
    }
  }
  return facts;
}

/** More directories than this and a relative redirection's directory counts as unknown. */
const MAX_DIRECTORIES = 32;

/** Every directory the `cd` targets reach from the workspace, in any order; undefined past the limit. */
function reachable(
  targets: readonly string[],
  start: string,
  fromHome: (p: string) => string | undefined,
): string[] | undefined {
  const directories = [start];
  for (let round = 0; round < targets.length; round++) {
    for (const target of targets) {
      for (const from of [...directories]) {
        const to = fromHome(target) ?? path.resolve(from, target);
        if (directories.includes(to)) continue;
        if (directories.length >= MAX_DIRECTORIES) return undefined;
        directories.push(to);
      }
    }
  }
  return directories;
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
