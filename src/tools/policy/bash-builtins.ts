import { DYNAMIC } from './bash-words.ts';

/**
 * Builtins (and a few programs) that run a string as shell commands: `eval 'cmd'`, `trap 'cmd'
 * EXIT`, `mapfile -C 'cmd'`, `compgen -C 'cmd'`, `su -c 'cmd'`, `watch 'cmd'`. The string is
 * checked as commands when it is literal; when it is computed, or the commands come from somewhere
 * the rules cannot read (standard input, the history, a shared library), the call is undecidable:
 * refused wherever a rule, allow or deny, must decide it.
 */
export type Evaluated = { scripts: string[] } | { reason: string };

const NONE: Evaluated = { scripts: [] };
/** Options whose value is a command string, per program. */
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  mapfile: ['-C'],
  readarray: ['-C'],
  compgen: ['-C'],
  complete: ['-C'],
  su: ['-c', '--command'],
  runuser: ['-c', '--command'],
  script: ['-c', '--command'],
  flock: ['-c', '--command'],
};

export function evaluatedStrings(words: readonly string[]): Evaluated {
  const [name, ...args] = words;
  switch (name) {
    case 'eval':
      return literal('eval', [args.join(' ')]);
    case 'trap':
      return trapAction(args);
    case 'watch': {
      // watch runs its operands with `sh -c` (or, with -x, as a command: checked the same way).
      let i = 0;
      while (i < args.length && args[i]!.startsWith('-') && args[i] !== '--') {
        i += /^(-[a-zA-Z]*n|--interval)$/.test(args[i]!) ? 2 : 1;
      }
      return literal('watch', [args.slice(args[i] === '--' ? i + 1 : i).join(' ')]);
    }
    case 'source':
    case '.': {
      const file = args[0] === '--' ? args[1] : args[0];
      if (file === undefined) return NONE;
      return file.includes(DYNAMIC) || /^(-|\/dev\/(stdin|fd\/)|\/proc\/)/.test(file)
        ? { reason: `\`${name}\` runs commands it reads from its input` }
        : NONE;
    }
    case 'fc':
      return { reason: '`fc` runs commands from the shell history' };
    case 'enable':
      return args.some((a) => /^-[a-zA-Z]*f/.test(a))
        ? { reason: '`enable -f` loads a builtin from a shared library' }
        : NONE;
    case 'hash': {
      const p = args.findIndex((a) => /^-[a-zA-Z]*p/.test(a));
      return p === -1
        ? NONE
        : {
            reason: `it sets where \`${args[p + 2] ?? '…'}\` is found (\`hash -p\`), which changes what the command runs`,
          };
    }
    default: {
      const options = COMMAND_OPTIONS[name ?? ''];
      if (!options) return NONE;
      const scripts: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        const option = options.find(
          (o) => a === o || (o.startsWith('--') ? a.startsWith(`${o}=`) : a.startsWith(o)),
        );
        if (!option) continue;
        const value = a === option ? args[++i] : a.slice(option.length + (option.startsWith('--') ? 1 : 0));
        scripts.push(value ?? '');
      }
      return literal(name!, scripts);
    }
  }
}

function literal(name: string, scripts: string[]): Evaluated {
  return scripts.some((s) => s.includes(DYNAMIC))
    ? { reason: `\`${name}\` runs text computed when it runs` }
    : { scripts: scripts.filter((s) => s.trim() !== '') };
}

/** `trap [-lp] [[action] signal…]`: one argument alone resets, `-` resets, `''` ignores. */
function trapAction(args: readonly string[]): Evaluated {
  let i = 0;
  if (args[i] === '--') i++;
  if (/^-[lp]+$/.test(args[i] ?? '')) return NONE;
  const rest = args.slice(i);
  if (rest.length < 2 || rest[0] === '-') return NONE;
  return literal('trap', [rest[0]!]);
}

/** Where `cd`/`pushd`/`env -C` go, as written; DYNAMIC when it depends on the environment. */
export function directoryChange(words: readonly string[]): string | undefined {
  const [name, ...args] = words;
  if (name !== 'cd' && name !== 'pushd') return undefined;
  let i = 0;
  while (i < args.length && /^-[LPe@n]+$/.test(args[i]!)) {
    if (args[i]!.includes('n')) return undefined; // `pushd -n` only edits the stack
    i++;
  }
  if (args[i] === '--') i++;
  const target = args[i];
  // pushd alone or `+N`/`-N` moves between directories already on the stack.
  if (name === 'pushd' && (target === undefined || /^[-+]\d+$/.test(target))) return undefined;
  if (target === undefined) return '~';
  return resolvableDirectory(target) ? target : DYNAMIC;
}

/** A literal directory: not `-` ($OLDPWD), not `~user`/`~+`, no glob, no expansion. */
export function resolvableDirectory(target: string): boolean {
  return (
    target !== '-' &&
    !target.includes(DYNAMIC) &&
    !/[*?[{]/.test(target) &&
    (!target.startsWith('~') || target === '~' || target.startsWith('~/'))
  );
}
