import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  didYouMean,
  nearest,
  normaliseText,
  parseFrontmatterYaml,
  splitFrontmatter,
  toolEntries,
} from '../agents/index.ts';
import type { SlashCommand, SlashCommandProblem } from './types.ts';

/** The frontmatter keys Claude Code reads in a command file (`disable-model-invocation` is accepted, unused). */
const KNOWN_KEYS = ['description', 'argument-hint', 'allowed-tools', 'model', 'disable-model-invocation'];

/** What the file itself says; name, source and path come from where it was found. */
export type CommandFileContent = Pick<
  SlashCommand,
  'description' | 'argumentHint' | 'model' | 'allowedTools' | 'body'
>;

export interface CommandFileResult {
  /** Absent when the file cannot be used at all (unreadable, frontmatter broken). */
  content?: CommandFileContent;
  problems: SlashCommandProblem[];
}

// Scalars people write unquoted (`description: 2024 cleanup` is fine, `model: 5` is odd but harmless).
const text = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v).trim());
const toolList = z.union([z.string(), z.array(z.union([z.string(), z.number()]).transform(String))]);

/** Reads one command file. Never throws: an unreadable file is a problem like any other. */
export function parseCommandFile(file: string): CommandFileResult {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return {
      problems: [
        {
          severity: 'warning',
          file,
          message: `cannot read the command file (${code}); skipped`,
          hint: 'Check that it exists and is readable.',
        },
      ],
    };
  }
  return parseCommandSource(file, source);
}

/**
 * Frontmatter is optional, as in Claude Code: a file without one is all body. A frontmatter that
 * cannot be read skips the file (expanding it would send YAML to the model as the prompt); a
 * field of the wrong shape is ignored and the command kept.
 */
export function parseCommandSource(file: string, source: string): CommandFileResult {
  const normalised = normaliseText(source);
  const split = splitFrontmatter(normalised);
  if (split.kind === 'missing') return { content: { body: normalised.trim() }, problems: [] };
  if (split.kind === 'unclosed') {
    return {
      problems: [
        {
          severity: 'warning',
          file,
          line: 1,
          message: 'the frontmatter is never closed; command skipped',
          hint: 'Add a `---` line after the last field, before the prompt (or remove the first `---`).',
        },
      ],
    };
  }
  const problems: SlashCommandProblem[] = [];
  const fields = readFields(file, split.yaml, split.yamlLine, problems);
  if (!fields) return { problems };
  const content: CommandFileContent = { body: split.body.trim() };
  const ignored = (key: string, expected: string) =>
    problems.push({
      severity: 'warning',
      file,
      ...(fields.lines[key] !== undefined ? { line: fields.lines[key] } : {}),
      field: key,
      message: `\`${key}\` must be ${expected}; ignored`,
      hint: `Write \`${key}: …\` on one line.`,
    });
  for (const [key, prop] of [
    ['description', 'description'],
    ['argument-hint', 'argumentHint'],
    ['model', 'model'],
  ] as const) {
    const value = fields.data[key];
    if (value === undefined || value === null) continue;
    const parsed = text.safeParse(value);
    // `argument-hint: [file]` is a YAML list but means the text: keep what was written.
    const written = Array.isArray(value)
      ? rawValue(split.yaml, split.yamlLine, fields.lines[key])
      : undefined;
    const result = parsed.success ? parsed.data : written;
    if (result === undefined) ignored(key, 'text');
    else if (result !== '') content[prop] = result;
  }
  const tools = fields.data['allowed-tools'];
  if (tools !== undefined && tools !== null) {
    const parsed = toolList.safeParse(tools);
    if (parsed.success) content.allowedTools = toolEntries(parsed.data).map((entry) => entry.name);
    else ignored('allowed-tools', 'a comma-separated list or a YAML list of tool rules');
  }
  for (const key of Object.keys(fields.data)) {
    if (KNOWN_KEYS.includes(key)) continue;
    const suggestion = didYouMean(nearest(key, KNOWN_KEYS));
    problems.push({
      severity: 'warning',
      file,
      ...(fields.lines[key] !== undefined ? { line: fields.lines[key] } : {}),
      field: key,
      message: `unknown field \`${key}\`; ignored`,
      hint: suggestion ?? `Command files know: ${KNOWN_KEYS.join(', ')}.`,
    });
  }
  return { content, problems };
}

interface Fields {
  data: Record<string, unknown>;
  lines: Record<string, number | undefined>;
}

/**
 * The frontmatter as YAML; failing that, as Claude Code's plain `key: value` lines, since
 * `argument-hint: [pr] [priority]` (from Claude Code's own docs) is not valid YAML.
 */
function readFields(
  file: string,
  yaml: string,
  firstLine: number,
  problems: SlashCommandProblem[],
): Fields | undefined {
  const parsed = parseFrontmatterYaml(yaml, firstLine);
  if (parsed.ok) return parsed.fields;
  const data: Record<string, unknown> = {};
  const lines: Record<string, number> = {};
  const source = yaml.split('\n');
  for (const [i, line] of source.entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const match = /^([A-Za-z][\w-]*):(?:\s+(.*))?$/.exec(line);
    if (!match) {
      const failure = parsed.failures[0]!;
      problems.push({
        severity: 'warning',
        file,
        line: failure.line,
        message: `${failure.message}; command skipped`,
        hint: failure.hint,
      });
      return undefined;
    }
    data[match[1]!] = unquote((match[2] ?? '').trim());
    lines[match[1]!] = firstLine + i;
  }
  return { data, lines };
}

function rawValue(yaml: string, firstLine: number, line: number | undefined): string | undefined {
  if (line === undefined) return undefined;
  const source = yaml.split('\n')[line - firstLine] ?? '';
  const colon = source.indexOf(':');
  return colon === -1 ? undefined : source.slice(colon + 1).trim();
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted ? quoted[2]! : value;
}
