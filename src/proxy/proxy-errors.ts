import { CodexTaskError } from '../errors/index.ts';

/** A proxy setting that cannot work (a bad or disallowed upstream…), with its fix. */
export class ProxyConfigError extends CodexTaskError {
  constructor(message: string, hint: string) {
    super('ProxyConfig', message, hint);
  }
}

/**
 * An error body in OpenAI's shape (`{ error: { message, type, code } }`): Codex prints `message`
 * and decides on retries by status, so the status carries the meaning.
 */
export function openaiError(
  type: string,
  message: string,
): { error: { message: string; type: string; code: string; param: null } } {
  return { error: { message, type, code: type, param: null } };
}
