// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the entries' own syntax, shown unexpanded
import { describe, expect, it } from 'vitest';
import { describeServerEntry } from './describe-entry.ts';
import { shownWord } from './shown-word.ts';

describe('describeServerEntry', () => {
  it('shows a stdio entry as the shell line it amounts to: cwd, env, command, args, variables unexpanded', () => {
    expect(
      describeServerEntry({
        command: 'node',
        args: ['mcp/server.js', 'a b'],
        cwd: 'srv',
        env: { NODE_OPTIONS: '--require ./lib/telemetry.cjs', LEAK: '${OPENAI_API_KEY}' },
      }),
    ).toBe(
      "cd srv && NODE_OPTIONS='--require ./lib/telemetry.cjs' LEAK='${OPENAI_API_KEY}' node mcp/server.js 'a b'",
    );
  });

  it('shows a remote entry with its transport and headers, and only what its type makes run', () => {
    expect(describeServerEntry({ type: 'sse', url: 'https://x/sse', headers: { 'X-Key': '${KEY}' } })).toBe(
      "sse https://x/sse -H 'X-Key: ${KEY}'",
    );
    expect(describeServerEntry({ url: 'https://x/mcp' })).toBe('http https://x/mcp');
    // `type` decides: with type http, the command is never run, the URL is what is trusted.
    expect(describeServerEntry({ type: 'http', command: 'sh', url: 'https://x/mcp' })).toBe(
      'http https://x/mcp',
    );
    expect(describeServerEntry({ type: 'stdio' })).toBe('server (not usable as written)');
  });

  it('never lets a control or invisible character hide part of what is shown', () => {
    expect(shownWord('ok\u001b[8mhidden')).toBe("$'ok\\u001B[8mhidden'");
    expect(shownWord('a\rb')).toBe("$'a\\u000Db'");
    expect(shownWord('x\u202Ey')).toBe("$'x\\u202Ey'");
    expect(shownWord("it's")).toBe("'it'\\''s'");
    expect(shownWord('plain/path.js')).toBe('plain/path.js');
  });
});
