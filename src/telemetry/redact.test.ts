import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED, redactAndTruncate, secretsFromEnv, summarizeArgs } from './redact.ts';

const r = createRedactor({ secrets: ['my-very-own-secret-value'] });

describe('redactor', () => {
  it.each([
    ['OPENAI_API_KEY=sk-proj-abcdefghijklmnop1234', 'OPENAI_API_KEY=[REDACTED]'],
    ['curl -H "Authorization: Bearer abc.def.ghi12345"', 'curl -H "Authorization: Bearer [REDACTED]"'],
    ['key sk-ant-api03-abcdefghijklmnopqrstuv here', `key ${REDACTED} here`],
    ['AIzaSyA1234567890abcdefghijklmnopqrstuv', REDACTED],
    ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789', `token ${REDACTED}`],
    ['aws AKIAABCDEFGHIJKLMNOP', `aws ${REDACTED}`],
    ['{"apiKey":"zzzz-yyyy-1234"}', `{"apiKey":"${REDACTED}"}`],
    ['password: hunter2x', `password: ${REDACTED}`],
    ['uses my-very-own-secret-value inline', `uses ${REDACTED} inline`],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----', REDACTED],
    // The shapes shared with the sandbox's environment (config/credential-patterns.ts).
    ['-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOY\n-----END PGP PRIVATE KEY BLOCK-----', REDACTED],
    ['stripe sk_live_51Habcdefgh012345', `stripe ${REDACTED}`],
    ['gitlab glpat-abcdefghij0123456789', `gitlab ${REDACTED}`],
    ['slack xoxb-1234567890-abcdef', `slack ${REDACTED}`],
  ])('redacts %j', (input, expected) => {
    expect(r.text(input)).toBe(expected);
  });

  it.each([
    'max_tokens: 4096',
    'Basic authentication is disabled',
    'The bearer of this letter',
    'read src/tokenizer.ts and count tokens',
    'inputTokens=1200',
  ])('leaves ordinary text alone: %j', (input) => {
    expect(r.text(input)).toBe(input);
  });

  it('replaces values under secret-looking keys and walks nested objects and arrays', () => {
    const out = r.value({
      headers: { Authorization: 'xyz', 'x-api-key': 'abc', accept: 'json' },
      list: [{ client_secret: 's' }, 'sk-abcdefghijklmnopqrstuvwx'],
      usage: { inputTokens: 3, max_tokens: 10 },
    });
    expect(out).toEqual({
      headers: { Authorization: REDACTED, 'x-api-key': REDACTED, accept: 'json' },
      list: [{ client_secret: REDACTED }, REDACTED],
      usage: { inputTokens: 3, max_tokens: 10 },
    });
  });

  it('finds secret values in the environment by variable name', () => {
    expect(secretsFromEnv({ MY_TOKEN: 'abcdefgh12', HOME: '/home/x', SHORT_KEY: 'x' })).toEqual([
      'abcdefgh12',
    ]);
  });

  it('never leaks a prefix of a secret cut by truncation', () => {
    const text = `${'a '.repeat(10)}sk-abcdefghijklmnopqrstuvwxyz`;
    const out = redactAndTruncate(r, text, 30);
    expect(out).not.toContain('sk-abc');
    expect(out).toContain('more characters');
  });

  it('summarizes arguments as bounded redacted JSON', () => {
    expect(summarizeArgs(r, { command: 'export TOKEN=abcdef123456', n: 1 }, 200)).toBe(
      `{"command":"export TOKEN=${REDACTED}","n":1}`,
    );
    expect(summarizeArgs(r, { text: 'x'.repeat(100) }, 20)).toHaveLength(21);
  });
});
