import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Credentials, configSchemas } from './config-schema.ts';
import { ConfigError } from './load-config.ts';

/** The env var each built-in provider's key comes from; a stored key is used only when it is unset. */
export const KEY_ENV_OF: Record<string, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  google: 'GEMINI_API_KEY',
};

export function credentialsPath(homeDir = homedir()): string {
  return join(homeDir, '.codex-task', 'credentials.json');
}

export function readCredentials(homeDir?: string): Credentials {
  const file = credentialsPath(homeDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(
      `${file} is not valid JSON`,
      'Run `codex-task logout <provider>` and log in again, or fix the file.',
    );
  }
  const parsed = configSchemas().credentials.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      `${file} has an unexpected shape`,
      'Expected { "<provider>": { "apiKey": "…" } }; run `codex-task login` again.',
    );
  }
  return parsed.data;
}

/**
 * Stores a key the way Codex and Claude Code store theirs: a JSON file readable by the user only
 * (0600, in a 0700 directory), written to a temp file and renamed so it is never half-written.
 */
export function saveCredential(name: string, apiKey: string, homeDir?: string): string {
  const file = credentialsPath(homeDir);
  const credentials = { ...readCredentials(homeDir), [name]: { apiKey } };
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
  return file;
}

export function removeCredential(name: string, homeDir?: string): boolean {
  const credentials = readCredentials(homeDir);
  if (!(name in credentials)) return false;
  delete credentials[name];
  const file = credentialsPath(homeDir);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
  return true;
}

/** A warning when the credentials file can be read by others (looser than 0600). */
export function credentialsPermissionProblem(homeDir?: string): string | undefined {
  const file = credentialsPath(homeDir);
  try {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077)
      return `${file} has mode ${mode.toString(8).padStart(4, '0')}: others can read your keys. Run: chmod 600 ${file}`;
  } catch {
    // No file, nothing to protect.
  }
  return undefined;
}

/** Enough of a key to recognise it, never enough to use it. */
export function maskKey(key: string): string {
  return key.length <= 8 ? '****' : `${key.slice(0, 6)}…(${key.length} chars)`;
}
