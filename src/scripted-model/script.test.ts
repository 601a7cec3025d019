import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScript, parseScript, ScriptError, type ScriptedRequest, scriptHandler } from './index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scripted-model-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

function request(overrides: Partial<ScriptedRequest> = {}): ScriptedRequest {
  return {
    format: 'anthropic',
    model: 'claude-sonnet-4-5',
    stream: false,
    system: 'You are a code reviewer.\nBe thorough.',
    messages: [],
    tools: ['Read', 'Grep'],
    turn: 0,
    lastUserText: 'review src/app.ts',
    toolResults: [],
    headers: {},
    ...overrides,
  };
}

describe('loadScript', () => {
  it('reads YAML', async () => {
    const path = await file(
      'review.yaml',
      [
        'latencyMs: 5',
        'rules:',
        '  - when: { user: "/REVIEW/i" }',
        '    reply: { text: "LGTM" }',
        'default: { text: "?" }',
      ].join('\n'),
    );
    const script = await loadScript(path);
    expect(script).toEqual({
      latencyMs: 5,
      rules: [{ when: { user: '/REVIEW/i' }, reply: { text: 'LGTM' } }],
      default: { text: '?' },
    });
    expect(await scriptHandler(script)(request())).toEqual({ text: 'LGTM', latencyMs: 5 });
  });

  it('reads JSON', async () => {
    const path = await file('s.json', JSON.stringify({ rules: [{ reply: [{ text: 'a' }, { text: 'b' }] }] }));
    expect((await loadScript(path)).rules).toHaveLength(1);
  });

  it('names the file and the field of a bad script', async () => {
    const misspelt = await file('bad.yaml', 'rules:\n  - when: { usr: "x" }\n    reply: { text: "hi" }\n');
    const error = await loadScript(misspelt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScriptError);
    expect(error).toMatchObject({ file: misspelt, field: 'rules[0].when' });
    expect((error as Error).message).toContain(misspelt);
    expect((error as Error).message).toMatch(/usr/);

    const badRegex = await file(
      'regex.json',
      JSON.stringify({ rules: [{ reply: { text: 'x' } }, { when: { user: '(' }, reply: {} }] }),
    );
    await expect(loadScript(badRegex)).rejects.toMatchObject({ field: 'rules[1].when.user' });

    const badFault = await file('fault.yaml', 'rules: []\ndefault: { fault: { kind: cut } }\n');
    await expect(loadScript(badFault)).rejects.toMatchObject({ field: 'default.fault.afterEvents' });

    const badKind = await file(
      'kind.yaml',
      'rules:\n  - reply:\n      - { text: ok }\n      - { fault: { kind: explode } }\n',
    );
    await expect(loadScript(badKind)).rejects.toMatchObject({ field: 'rules[0].reply[1].fault.kind' });

    const notYaml = await file('broken.yaml', 'rules: [\n');
    await expect(loadScript(notYaml)).rejects.toThrow(/broken\.yaml: not valid YAML/);
    await expect(loadScript(join(dir, 'missing.yaml'))).rejects.toThrow(/cannot read script/);
  });

  it('validates scripts given in code too', () => {
    expect(() => parseScript({ rules: [{ reply: { text: 1 } }] })).toThrow(/rules\[0\]\.reply/);
    expect(() => scriptHandler({ rules: [], faults: { rate: 2, kinds: [{ kind: 'reset' }] } })).toThrow(
      /faults\.rate/,
    );
  });
});

describe('rules', () => {
  it('take the first match, on every condition', async () => {
    const handler = scriptHandler({
      rules: [
        { when: { turn: 1, toolResult: 'ERROR' }, reply: { text: 'fix it' } },
        { when: { model: '^gpt-' }, reply: { text: 'openai' } },
        { when: { system: /reviewer/, tool: '^Grep$' }, reply: { text: 'reviewing' } },
        { when: { user: 'review' }, reply: { text: 'not reached while the rule above matches' } },
      ],
      default: { text: 'default' },
    });
    expect(await handler(request())).toEqual({ text: 'reviewing' });
    expect(await handler(request({ model: 'gpt-5' }))).toEqual({ text: 'openai' });
    expect(await handler(request({ tools: ['Read'] }))).toEqual({
      text: 'not reached while the rule above matches',
    });
    const failed = { toolResults: [{ callId: 'c1', output: 'ERROR: no such file' }] };
    expect(await handler(request({ ...failed, turn: 1 }))).toEqual({ text: 'fix it' });
    expect(await handler(request({ ...failed, turn: 2, tools: [], lastUserText: '', system: '' }))).toEqual({
      text: 'default',
    });
  });

  it('cycle through a reply list per matching request', async () => {
    const handler = scriptHandler({
      rules: [{ when: { user: 'x' }, reply: [{ text: '1' }, { text: '2' }] }],
    });
    const texts = [];
    for (let i = 0; i < 3; i++) texts.push((await handler(request({ lastUserText: 'x' }))).text);
    await handler(request({ lastUserText: 'no match' }));
    texts.push((await handler(request({ lastUserText: 'x' }))).text);
    expect(texts).toEqual(['1', '2', '1', '2']);
  });

  it('say so when nothing matches and there is no default', async () => {
    expect((await scriptHandler({ rules: [] })(request())).text).toMatch(/no rule matched/);
  });

  it('keep a per-reply fault over the script-level mix', async () => {
    const handler = scriptHandler({
      rules: [{ when: { user: 'hang' }, reply: { fault: { kind: 'hang' } } }],
      default: { text: 'ok' },
      faults: { rate: 1, kinds: [{ kind: 'reset' }], seed: 3 },
    });
    expect((await handler(request({ lastUserText: 'hang' }))).fault).toEqual({ kind: 'hang' });
    expect((await handler(request())).fault).toEqual({ kind: 'reset' });
  });
});

describe('templates', () => {
  it('fill reply text and tool call inputs from the request', async () => {
    const long = 'x'.repeat(5_000);
    const handler = scriptHandler({
      rules: [
        {
          reply: {
            text: '{{model}} turn {{turn}} [{{system}}] user={{user}} last={{toolResult}} all={{toolResults}} {{unknown}}',
            toolCalls: [{ name: 'Read', input: { file_path: '{{user}}', nested: ['{{turn}}', 3] } }],
          },
        },
      ],
    });
    const reply = await handler(
      request({
        turn: 2,
        toolResults: [
          { callId: 'a', output: 'first' },
          { callId: 'b', output: 'second' },
        ],
      }),
    );
    expect(reply.text).toBe(
      'claude-sonnet-4-5 turn 2 [You are a code reviewer.] user=review src/app.ts last=second all=first\nsecond {{unknown}}',
    );
    expect(reply.toolCalls).toEqual([
      { name: 'Read', input: { file_path: 'review src/app.ts', nested: ['2', 3] } },
    ]);

    const truncated = await handler(request({ toolResults: [{ callId: 'a', output: long }] }));
    const last = /last=(x+…)/.exec(truncated.text ?? '')?.[1] ?? '';
    expect(last.length).toBe(2_001);
  });
});
