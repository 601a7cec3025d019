import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join, sep } from 'node:path';

/**
 * Where system packages install binaries: owned by root and read-only inside the sandbox, so a
 * command cannot plant a fake there. Looked at before PATH.
 */
export const SYSTEM_BIN_DIRS: readonly string[] = [
  '/usr/bin',
  '/bin',
  '/usr/local/bin',
  '/usr/sbin',
  '/sbin',
];

export interface TrustedBinaryOptions {
  /** PATH to fall back on; default process.env.PATH. */
  path?: string;
  /** Directories a sandboxed command can write (workspaces): no PATH entry inside them is used. */
  untrusted?: readonly string[];
}

const cache = new Map<string, string | undefined>();

/**
 * The real path of the `name` binary the host may run: from the system directories first, then from
 * PATH entries that are absolute, not under a `node_modules` directory and not inside an untrusted
 * directory (nor the current one). `npx` puts `<project>/node_modules/.bin` first on PATH, and a
 * sandboxed command can write there: a fake `bwrap` or `rg` found there would run on the host. The
 * answer for the default PATH is cached for the process, so a binary planted later is never picked.
 */
export function findTrustedBinary(name: string, options: TrustedBinaryOptions = {}): string | undefined {
  const cacheable = options.path === undefined;
  if (cacheable && cache.has(name)) return cache.get(name);
  const untrusted = [process.cwd(), ...(options.untrusted ?? [])].map(realOrSelf);
  const fromPath = (options.path ?? process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => isAbsolute(dir) && !dir.split(sep).includes('node_modules'))
    .filter((dir) => {
      const real = realOrSelf(dir);
      return !untrusted.some((root) => real === root || real.startsWith(root + sep));
    });
  let found: string | undefined;
  for (const dir of [...SYSTEM_BIN_DIRS, ...fromPath]) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      found = realpathSync(candidate);
      break;
    } catch {
      // not here
    }
  }
  if (cacheable) cache.set(name, found);
  return found;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
