import type { SlashCommand } from './types.ts';

/** `/name` then white space or the end; a `/` inside the name means a path (`/usr/bin/env …`), not a command. */
const INVOCATION = /^\s*\/([^\s/]+)(?:\s+([\s\S]*))?$/;

/** `$ARGUMENTS`, or `$` and a run of digits (`$10` is the tenth argument, never `$1` then `0`; `$0` is left alone). */
const PLACEHOLDER = /\$(ARGUMENTS|[1-9]\d*)/g;

/**
 * When `text` is `/name args` and `name` is one of `commands` (exactly: names are case-sensitive,
 * like the file names they come from), the command's body with the arguments substituted:
 * `$ARGUMENTS` by the whole argument string, `$1`, `$2`… by the shell-style words of it (missing
 * ones by nothing). A body with neither gets the arguments appended as `ARGUMENTS: …`. Text is
 * only substituted, in one pass (an argument containing `$1` stays as typed); nothing is executed,
 * so Claude Code's `!` command lines and `@file` references reach the model as written.
 */
export function expandSlashCommand(
  text: string,
  commands: readonly SlashCommand[],
): { text: string; command: SlashCommand } | undefined {
  const match = INVOCATION.exec(text);
  if (!match) return undefined;
  const command = commands.find((c) => c.name === match[1]);
  if (!command) return undefined;
  const args = (match[2] ?? '').trim();
  let positional: string[] | undefined;
  let placeholders = false;
  const body = command.body.replace(PLACEHOLDER, (_, what: string) => {
    placeholders = true;
    if (what === 'ARGUMENTS') return args;
    positional ??= splitArguments(args);
    return positional[Number(what) - 1] ?? '';
  });
  if (placeholders || args === '') return { text: body, command };
  return { text: `${body}\n\nARGUMENTS: ${args}`, command };
}

/**
 * Shell-style words: white space separates, single quotes keep everything, double quotes keep
 * everything but `\"` and `\\`, a backslash outside quotes escapes the next character. A quote
 * that is never closed is a plain character: arguments are prose (`it's late`), not a script.
 */
export function splitArguments(args: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < args.length; i++) {
    const ch = args[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && (args[i + 1] === '"' || args[i + 1] === '\\')) word += args[++i];
      else word += ch;
    } else if ((ch === "'" || ch === '"') && closes(args, i)) {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < args.length) {
      word += args[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Whether the quote at `at` has a closing partner (for `"`, one not escaped by a backslash). */
function closes(args: string, at: number): boolean {
  const ch = args[at]!;
  for (let i = at + 1; i < args.length; i++) {
    if (args[i] === ch) return true;
    if (ch === '"' && args[i] === '\\') i++;
  }
  return false;
}
