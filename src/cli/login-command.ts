import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { didYouMean, nearest } from '../agents/index.ts';
import {
  KEY_ENV_OF,
  loadConfig,
  maskKey,
  readCredentials,
  removeCredential,
  saveCredential,
} from '../config/index.ts';
import { UnknownProviderError } from '../errors/index.ts';
import { EXIT } from './exit-codes.ts';
import { reportError, usageError } from './output.ts';
import { readInput } from './read-input.ts';

/** Reads a key from the terminal with echo off, or from stdin when it is piped. */
async function readKey(provider: string): Promise<string> {
  if (!process.stdin.isTTY) return (await readInput('-')).trim();
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const answer = new Promise<string>((resolve) => rl.question(`API key for ${provider}: `, resolve));
  muted = true;
  const key = await answer;
  rl.close();
  process.stderr.write('\n');
  return key.trim();
}

/** The providers a stored key can be for: the built-in ones and those declared in config. */
function knownProviders(): string[] {
  const { values } = loadConfig({ cwd: process.cwd() });
  return [...new Set([...Object.keys(KEY_ENV_OF), ...Object.keys(values.providers ?? {})])];
}

/** `codex-task login <provider>`: stores a key in ~/.codex-task/credentials.json (mode 0600). */
export async function loginCommand(provider: string): Promise<number> {
  if (!/^[a-z][a-z0-9-]*$/.test(provider)) {
    usageError(
      `'${provider}' is not a provider name`,
      'Use anthropic, openai, google, or the lowercase name of a provider in your config.',
    );
    return EXIT.usage;
  }
  let known: string[];
  try {
    known = knownProviders();
  } catch (error) {
    return reportError(error);
  }
  if (!known.includes(provider))
    return reportError(new UnknownProviderError(provider, known, didYouMean(nearest(provider, known))));
  const key = await readKey(provider);
  if (!key) {
    usageError(
      'No key was given',
      `Paste the key at the prompt, or pipe it: echo "$KEY" | codex-task login ${provider}`,
    );
    return EXIT.usage;
  }
  const file = saveCredential(provider, key);
  const env = KEY_ENV_OF[provider];
  process.stdout.write(
    `Saved the ${provider} key ${maskKey(key)} in ${file} (readable by you only).${env ? `\n${env}, when set, takes precedence over it.` : ''}\n`,
  );
  return EXIT.ok;
}

export async function logoutCommand(provider: string): Promise<number> {
  if (removeCredential(provider)) {
    process.stdout.write(`Removed the stored ${provider} key.\n`);
    return EXIT.ok;
  }
  const stored = Object.keys(readCredentials());
  const suggestion = didYouMean(nearest(provider, stored));
  usageError(
    `No stored key for '${provider}'${suggestion ? `: ${suggestion}` : ''}`,
    stored.length > 0
      ? `Stored keys: ${stored.join(', ')}.`
      : 'No keys are stored; see what is configured with `codex-task config`.',
  );
  return EXIT.failed;
}
