import { APICallError } from 'ai';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../errors/index.ts';
import type { ProviderConfig } from '../providers/index.ts';
import { describeFailure, toProviderError } from './provider-errors.ts';

const openai: ProviderConfig = { id: 'openai', kind: 'openai', apiKeyEnv: 'OPENAI_API_KEY' };

function callError(statusCode: number | undefined, data?: unknown, message = 'Bad Request'): APICallError {
  return new APICallError({
    message,
    url: 'https://api.example/v1/responses',
    requestBodyValues: {},
    ...(statusCode !== undefined && { statusCode }),
    ...(data !== undefined && { data }),
  });
}

describe('provider failures as the user reads them', () => {
  it.each([
    [401, 'The key was rejected: check OPENAI_API_KEY.'],
    [403, 'The key in OPENAI_API_KEY is not allowed to use gpt-5.5.'],
    [
      404,
      "The provider does not know the model 'gpt-5.5': check `model` in the agent file or the alias table.",
    ],
    [429, 'Rate limited by the provider: lower the concurrency or wait.'],
    [503, 'The openai provider is unavailable right now; try again later.'],
    [422, 'The provider refused the request; see the message above.'],
  ])('%i → a ProviderError with the vendor’s message and the fix', (status, hint) => {
    const error = toProviderError(
      callError(status, { error: { message: 'vendor says no' } }),
      openai,
      'gpt-5.5',
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      message: `openai:gpt-5.5 answered ${status}: vendor says no`,
      hint,
      status,
    });
  });

  it('names what went wrong when there is no status, or the reply could not be read', () => {
    expect(describeFailure(callError(undefined, undefined, 'fetch failed'), openai, 'm')).toBe(
      'openai:m could not be reached: fetch failed',
    );
    expect(describeFailure(callError(200, { message: 'truncated JSON' }), openai, 'm')).toBe(
      'openai:m sent a reply that could not be read: truncated JSON',
    );
    expect(describeFailure(callError(500, { error: 'overloaded' }), openai, 'm')).toBe(
      'openai:m answered 500: overloaded',
    );
    expect(describeFailure(new Error('socket hang up'), openai, 'm')).toBe('openai:m failed: socket hang up');
    expect(describeFailure('plain', openai, 'm')).toBe('openai:m failed: plain');
  });

  it('leaves anything that is not a provider call failure as it is', () => {
    const error = new TypeError('bug');
    expect(toProviderError(error, openai, 'm')).toBe(error);
  });
});
