// Which Node runs codex-task. package.json's `engines.node` is the one statement of it: npm reads it,
// the bin checks it here before anything else loads, and `codex-task doctor` reports it.
//
// Plain JavaScript that every Node able to load ES modules parses and runs (no `?.`, `??`, top-level
// await, newer built-ins): its whole point is to run on a Node too old for the rest, and to say what
// to do instead of failing inside a dependency ("The requested module 'node:tls' does not provide an
// export named 'getCACertificates'", "No such built-in module: node:sqlite").
import { readFileSync } from 'node:fs';

/** `engines.node` of package.json: alternatives joined by `||`, each `>=X.Y.Z` or `^X.Y.Z`. */
export const NODE_RANGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  .engines.node;

function parts(version) {
  const numbers = String(version).replace(/^v/, '').split('.').map(Number);
  return [numbers[0] || 0, numbers[1] || 0, numbers[2] || 0];
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The range as `{ op, floor }` alternatives; anything else is refused (a test keeps it readable). */
export function parseRange(range) {
  return String(range)
    .split('||')
    .map((alternative) => {
      const match = /^\s*(>=|\^)\s*v?(\d+(?:\.\d+){0,2})\s*$/.exec(alternative);
      if (!match)
        throw new Error(`engines.node: cannot read '${alternative.trim()}' (use >=X.Y.Z or ^X.Y.Z)`);
      return { op: match[1], floor: parts(match[2]) };
    });
}

export function satisfies(version, range) {
  const v = parts(version);
  return parseRange(range === undefined ? NODE_RANGE : range).some(
    (alt) => compare(v, alt.floor) >= 0 && (alt.op === '>=' || v[0] === alt.floor[0]),
  );
}

/** The oldest Node that satisfies the range, e.g. '22.19.0'. */
export function minimumNode(range) {
  const floors = parseRange(range === undefined ? NODE_RANGE : range).map((alt) => alt.floor);
  floors.sort(compare);
  return floors[0].join('.');
}

/** The range in words: '22 (22.19.0 or later), or 24.0.0 or newer'. */
export function describeRange(range) {
  return parseRange(range === undefined ? NODE_RANGE : range)
    .map((alt) =>
      alt.op === '^'
        ? `${alt.floor[0]} (${alt.floor.join('.')} or later)`
        : `${alt.floor.join('.')} or newer`,
    )
    .join(', or ');
}

/** How to get a Node that fits: one line per way. */
export function upgradeHints(range) {
  const major = minimumNode(range).split('.')[0];
  return [
    `install one: nvm install ${major}   (or: fnm install ${major}, volta install node@${major}, or your OS's package)`,
    `or run it on a Node that npx fetches:  npx -p node@${major} -p codex-task codex-task <command>`,
  ];
}

/** What to tell a user on this Node, or undefined when it is supported. */
export function nodeProblem(version, execPath) {
  if (satisfies(version)) return undefined;
  return [
    `codex-task needs Node.js ${describeRange()}; this is Node.js ${String(version).replace(/^v/, '')}${execPath ? ` (${execPath})` : ''}.`,
    ...upgradeHints().map((line) => `  ${line}`),
  ].join('\n');
}
