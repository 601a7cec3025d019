import type { Argument, Command, Option } from 'commander';

/**
 * What a value completes to: agent names (asked of the CLI when TAB is pressed), files,
 * directories, a fixed list, or nothing (free text such as a prompt or a port).
 */
export type ValueKind =
  | { type: 'agent' }
  | { type: 'file' }
  | { type: 'dir' }
  | { type: 'choice'; choices: string[] }
  | { type: 'none' };

export interface OptionSpec {
  /** `-m`, `--model`: the spellings, short first. */
  flags: string[];
  description: string;
  /** Undefined for a switch; what its value completes to otherwise. */
  value?: ValueKind;
}

export interface ArgumentSpec {
  name: string;
  variadic: boolean;
  value: ValueKind;
}

/** One command of the tree, with what completes after it. */
export interface CommandSpec {
  /** Canonical names from the root: `[]` for the program, `['agents', 'list']`. */
  path: string[];
  /** The name, then its aliases: what selects this command after its parent. */
  names: string[];
  description: string;
  subcommands: CommandSpec[];
  /** Its own options (help included), then the program's global ones. */
  options: OptionSpec[];
  arguments: ArgumentSpec[];
}

const FILE_NAMES = /^(file|files|path|paths|script)$/;
const DIR_NAMES = /^(dir|dirs|directory)$/;
/** Arguments that name agents: by their name, or (where the name says less) by their command. */
const AGENT_NAMES = /^agents?$/;
const AGENT_ARGUMENT_OF = new Set(['agents show']);

function valueKind(name: string, choices: readonly string[] | undefined, agent = false): ValueKind {
  if (choices?.length) return { type: 'choice', choices: [...choices] };
  if (agent || AGENT_NAMES.test(name)) return { type: 'agent' };
  if (FILE_NAMES.test(name)) return { type: 'file' };
  if (DIR_NAMES.test(name)) return { type: 'dir' };
  return { type: 'none' };
}

/** `-C, --cwd <dir>` → `dir`; `--http [port]` → `port`. */
function valueName(option: Option): string {
  return /[<[]([^>\]]+?)(?:\.\.\.)?[>\]]/.exec(option.flags)?.[1] ?? '';
}

function optionSpec(option: Option): OptionSpec {
  const flags = [option.short, option.long].filter((flag): flag is string => Boolean(flag));
  return {
    flags,
    description: option.description,
    ...((option.required || option.optional) && { value: valueKind(valueName(option), option.argChoices) }),
  };
}

function argumentSpec(argument: Argument, path: string[]): ArgumentSpec {
  const name = argument.name();
  const agent = AGENT_ARGUMENT_OF.has(path.join(' '));
  return { name, variadic: argument.variadic, value: valueKind(name, argument.argChoices, agent) };
}

/**
 * The program's command tree as plain data, read through commander's Help (so hidden commands and
 * options stay hidden): every command and option registered in main.ts completes without edits here.
 */
export function commandTree(program: Command): CommandSpec {
  const help = program.createHelp();
  const walk = (command: Command, path: string[], inherited: OptionSpec[]): CommandSpec => {
    const own = help.visibleOptions(command).map(optionSpec);
    const seen = new Set(own.flatMap((o) => o.flags));
    const options = [...own, ...inherited.filter((o) => !o.flags.some((flag) => seen.has(flag)))];
    // The program's options are global (read after any subcommand); `--version` and `--help` are
    // not, and a command's own options mean nothing to its subcommands.
    const passedDown =
      path.length === 0
        ? own.filter((o) => !o.flags.includes('--help') && !o.flags.includes('--version'))
        : inherited;
    return {
      path,
      names: [command.name(), ...command.aliases()],
      description: command.description(),
      subcommands: help.visibleCommands(command).map((sub) => walk(sub, [...path, sub.name()], passedDown)),
      options,
      arguments: command.registeredArguments.map((argument) => argumentSpec(argument, path)),
    };
  };
  return walk(program, [], []);
}

/** Every command of the tree, the root first. */
export function allCommands(root: CommandSpec): CommandSpec[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}

/** A value kind as one shell word: `agent`, `file`, `dir`, `none` or `choice:a b c`. */
export function kindWord(value: ValueKind): string {
  return value.type === 'choice' ? `choice:${value.choices.join(' ')}` : value.type;
}

/** What the shell scripts look up while walking the words typed so far, keyed by `<command path>|<word>`. */
export interface WalkTables {
  /** A subcommand name or alias → its canonical name. */
  subcommands: [key: string, name: string][];
  /** An option that takes a value → what the value completes to. */
  valued: [key: string, kind: string][];
  /** `<path>|<index>` → what that positional argument completes to; `<path>|*` for the rest of a variadic one. */
  positionals: [key: string, kind: string][];
}

export function walkTables(root: CommandSpec): WalkTables {
  const tables: WalkTables = { subcommands: [], valued: [], positionals: [] };
  for (const command of allCommands(root)) {
    const at = command.path.join(' ');
    for (const sub of command.subcommands)
      for (const name of sub.names) tables.subcommands.push([`${at}|${name}`, sub.path.at(-1)!]);
    for (const option of command.options)
      if (option.value)
        for (const flag of option.flags) tables.valued.push([`${at}|${flag}`, kindWord(option.value)]);
    command.arguments.forEach((argument, i) => {
      tables.positionals.push([`${at}|${argument.variadic ? '*' : i}`, kindWord(argument.value)]);
    });
  }
  return tables;
}
