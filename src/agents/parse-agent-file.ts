import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { buildDefinition, looksLikeModelId, type ParseResult } from './build-definition.ts';
import { normaliseText, splitFrontmatter } from './frontmatter.ts';
import { parseFrontmatterYaml, type YamlFailure } from './frontmatter-yaml.ts';
import { DEFAULT_KNOWN_TOOLS, type KnownTools } from './known-tools.ts';
import type { AgentProblem, AgentScope } from './types.ts';

const decoder = new TextDecoder();

export type { ParseResult };

export interface AgentParseOptions {
  /** Tool names agent files may use (default: codex-task's built-in tools). */
  knownTools?: KnownTools;
  /** Model ids that need no warning besides the aliases (default: vendor-prefixed or provider/model). */
  isKnownModel?: (id: string) => boolean;
}

/**
 * Documentation that people keep next to agents (a cloned collection's README, LICENSE…). Without
 * frontmatter it is not an agent, and reporting it as a broken one would bury the real problems.
 */
const DOCUMENTATION = /^(?:readme|changelog|contributing|license|code_of_conduct|security)(?:\.[\w.-]*)?$/i;

/** Reads and parses one agent file. Never throws: an unreadable file is a problem like any other. */
export function parseAgentFile(
  file: string,
  options: AgentParseOptions & { scope?: AgentScope } = {},
): ParseResult {
  let contents: string | Buffer;
  try {
    contents = readAgentContents(file);
  } catch (error) {
    return { problems: [unreadable(file, error)] };
  }
  return parseAgentSource(file, contents, options);
}

/**
 * The file as text, read as UTF-8 in one call (measured: faster to read and to parse than bytes
 * decoded afterwards). Valid UTF-8 re-encodes to the same bytes, so hashing the text hashes the
 * file; text with replacement characters may not, so then the bytes are returned instead.
 */
export function readAgentContents(file: string): string | Buffer {
  const text = readFileSync(file, 'utf8');
  return text.includes('\uFFFD') ? readFileSync(file) : text;
}

export function unreadable(file: string, error: unknown): AgentProblem {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  return {
    severity: 'error',
    file,
    message: `cannot read the file (${code})`,
    hint: 'Check that it exists and is readable.',
  };
}

/**
 * Parses agent file contents. `file` names the file in problems (as the caller wrote it); the
 * definition keeps its absolute path. The hash is of the exact bytes, BOM and CRLF included.
 */
export function parseAgentSource(
  file: string,
  contents: Uint8Array | string,
  options: AgentParseOptions & { scope?: AgentScope } = {},
): ParseResult {
  const digest = hash('sha256', contents);
  const text = normaliseText(typeof contents === 'string' ? contents : decoder.decode(contents));
  const split = splitFrontmatter(text);
  if (split.kind === 'missing') {
    if (DOCUMENTATION.test(basename(file))) return { problems: [] };
    return {
      problems: [
        {
          severity: 'error',
          file,
          line: 1,
          message: 'no frontmatter: an agent file starts with a `---` line',
          hint: split.hint,
        },
      ],
    };
  }
  if (split.kind === 'unclosed') {
    return {
      problems: [
        {
          severity: 'error',
          file,
          line: 1,
          message: 'the frontmatter is never closed',
          hint: 'Add a `---` line after the last field, before the prompt.',
        },
      ],
    };
  }
  const yaml = parseFrontmatterYaml(split.yaml, split.yamlLine);
  if (!yaml.ok) {
    const yamlLines = split.yaml.split('\n');
    return {
      problems: yaml.failures.map((f) => {
        const key = /^([\w.-]+):/.exec(yamlLines[f.line - split.yamlLine] ?? '')?.[1];
        return {
          severity: 'error' as const,
          file,
          line: f.line,
          ...(key !== undefined ? { field: key } : {}),
          message: `${f.message} (column ${f.column})`,
          hint: f.hint,
        };
      }),
    };
  }
  const result = buildDefinition(yaml.fields.data, {
    source: file,
    scope: options.scope ?? 'project',
    hash: digest,
    systemPrompt: split.body.trim(),
    bodyLine: split.bodyLine,
    file: isAbsolute(file) ? file : resolve(file),
    lines: yaml.fields.lines,
    itemLines: yaml.fields.itemLines,
    missingLine: 1,
    nameRule: 'file',
    knownTools: options.knownTools ?? DEFAULT_KNOWN_TOOLS,
    isKnownModel: options.isKnownModel ?? looksLikeModelId,
  });
  if (yaml.retried && yaml.strictFailure) {
    result.problems.push(retryWarning(file, yaml.retried, yaml.strictFailure, split.yaml, split.yamlLine));
    result.problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  }
  return result;
}

/**
 * The file loads as Claude Code loads it, but it is not YAML: other tools (and a stricter future
 * Claude Code) read it differently, so say which lines were taken as text and how to quote them.
 */
function retryWarning(
  file: string,
  keys: readonly string[],
  failure: YamlFailure,
  yaml: string,
  firstLine: number,
): AgentProblem {
  const atFailure = /^([\w.-]+):/.exec(yaml.split('\n')[failure.line - firstLine] ?? '')?.[1];
  const field = atFailure !== undefined && keys.includes(atFailure) ? atFailure : keys[0]!;
  return {
    severity: 'warning',
    file,
    line: failure.line,
    field,
    message: `the frontmatter is not valid YAML (line ${failure.line}); read as Claude Code reads it, with ${keys.map((k) => `\`${k}\``).join(', ')} taken as text to the end of the line`,
    hint: failure.hint,
  };
}
