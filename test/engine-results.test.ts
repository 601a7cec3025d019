import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatResultForModel } from '../src/engine/index.ts';
import { setDefaultEngine, Task } from '../src/runtime/index.ts';
import { agentFile, useHarness } from './support.ts';

const h = useHarness();
const input = (extra: object = {}) => ({ description: 'do it', prompt: 'do the thing', ...extra });

describe('task results', () => {
  it('reports an empty final answer as EmptyResult, never as ""', async () => {
    await h.setup({}, () => ({ text: '' }));
    const result = await h.engine().run(input());
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ type: 'EmptyResult' });
    expect(result.error!.hint).toBeTruthy();
  });

  it('stops at maxTurns with MaxTurnsExceeded and keeps the partial output', async () => {
    await h.setup(
      {
        'a.txt': 'A',
        '.claude/agents/looper.md': agentFile({
          name: 'looper',
          description: 'loops',
          tools: 'Read',
          maxTurns: '3',
        }),
      },
      (req) => ({
        text: `thinking ${req.turn}`,
        toolCalls: [{ name: 'Read', input: { file_path: 'a.txt' } }],
      }),
    );
    const result = await h.engine().run(input({ subagent_type: 'looper' }));
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ type: 'MaxTurnsExceeded' });
    expect(result.turns).toBe(3);
    expect(result.partialContent).toContain('thinking 2');
    expect(h.model.stats.requests).toBe(3);
  });

  it('names the available agents when subagent_type is unknown (Claude Code wording)', async () => {
    await h.setup({ '.claude/agents/zeta.md': agentFile({ name: 'zeta', description: 'z' }) });
    const result = await h.engine().run(input({ subagent_type: 'nope' }));
    expect(result.status).toBe('failed');
    expect(result.error!.message).toBe(
      "Agent type 'nope' not found. Available agents: Explore, general-purpose, Plan, zeta",
    );
    expect(h.model.stats.requests).toBe(0);
  });

  it('names every missing or invalid field of bad input', async () => {
    await h.setup();
    const result = await h.engine().run({ prompt: 42, extra: true });
    expect(result.error!.type).toBe('InvalidTaskInput');
    expect(result.error!.message).toContain('`description` is required');
    expect(result.error!.message).toMatch(/`prompt`: .*expected string/);
    expect(result.error!.message).not.toContain('`prompt` is required');
    expect(result.error!.message).toContain('`extra`');
  });

  it('turns a 401 into a ProviderError that names the key variable', async () => {
    await h.setup({}, () => ({ fault: { kind: 'status', status: 401 } }));
    const result = await h.engine().run(input());
    expect(result.error).toMatchObject({ type: 'Provider', details: { status: 401 } });
    expect(result.error!.message).toContain('401');
    expect(result.error!.hint).toContain('OPENAI_API_KEY');
  });

  it('resolves the model by precedence: env > per-call > frontmatter > caller', async () => {
    await h.setup(
      { '.claude/agents/pinned.md': agentFile({ name: 'pinned', description: 'p', model: 'haiku' }) },
      () => ({ text: 'ok' }),
    );
    const caller = await h.engine().run(input());
    const agent = await h.engine().run(input({ subagent_type: 'pinned' }));
    const call = await h.engine().run(input({ subagent_type: 'pinned', model: 'opus' }));
    const env = await h
      .engine({ env: { CODEX_TASK_SUBAGENT_MODEL: 'anthropic:claude-haiku-4-5' } })
      .run(input({ subagent_type: 'pinned', model: 'opus' }));
    expect([caller, agent, call, env].map((r) => r.resolvedModel)).toEqual([
      'openai:gpt-5.5',
      'openai:gpt-5.5-mini',
      'openai:gpt-6.1-sol',
      'anthropic:claude-haiku-4-5',
    ]);
    expect(h.model.requests.map((r) => r.model)).toEqual([
      'gpt-5.5',
      'gpt-5.5-mini',
      'gpt-6.1-sol',
      'claude-haiku-4-5',
    ]);
  });

  it('a pinned model whose provider is not configured fails clearly instead of being substituted', async () => {
    await h.setup({
      '.claude/agents/gem.md': agentFile({ name: 'gem', description: 'g', model: 'gemini-3-pro' }),
    });
    const result = await h
      .engine({
        providers: [{ id: 'openai', kind: 'openai', baseURL: h.model.baseUrls.openai, apiKey: 't' }],
      })
      .run(input({ subagent_type: 'gem' }));
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ type: 'ModelConfig' });
    expect(result.error!.hint).toContain('GEMINI_API_KEY');
    expect(h.model.stats.requests).toBe(0);
  });

  it('sees an edited, added and deleted agent file on the next Task (hot reload)', async () => {
    const ws = await h.setup(
      { '.claude/agents/a.md': agentFile({ name: 'hot', description: 'v1' }, 'VERSION ONE') },
      () => ({ text: 'ok' }),
    );
    const engine = h.engine();
    await engine.run(input({ subagent_type: 'hot' }));
    await writeFile(
      join(ws, '.claude/agents/a.md'),
      agentFile({ name: 'hot', description: 'v2' }, 'VERSION TWO'),
    );
    await engine.run(input({ subagent_type: 'hot' }));
    await writeFile(
      join(ws, '.claude/agents/b.md'),
      agentFile({ name: 'added', description: 'new' }, 'ADDED'),
    );
    const added = await engine.run(input({ subagent_type: 'added' }));
    await rm(join(ws, '.claude/agents/a.md'));
    const deleted = await engine.run(input({ subagent_type: 'hot' }));

    const systems = h.model.requests.map((r) => r.system);
    expect(systems[0]).toContain('VERSION ONE');
    expect(systems[1]).toContain('VERSION TWO');
    expect(added.status).toBe('completed');
    expect(deleted.error).toMatchObject({ type: 'AgentNotFound' });
  });

  it('gives each subagent only its own prompt: system = agent body + environment, no sibling context', async () => {
    await h.setup(
      {
        'AGENTS.md': 'Always use tabs.',
        '.claude/agents/solo.md': agentFile({ name: 'solo', description: 's' }, 'BODY OF SOLO'),
      },
      (req) => ({ text: `echo ${req.lastUserText}`, latencyMs: 20 }),
    );
    const [a, b] = await h
      .engine()
      .runAll([
        input({ subagent_type: 'solo', prompt: 'first secret' }),
        input({ subagent_type: 'solo', prompt: 'second' }),
      ]);
    expect(a!.content).toBe('echo first secret');
    expect(b!.content).toBe('echo second');
    for (const req of h.model.requests) {
      expect(req.messages).toHaveLength(1);
      expect(req.system).toMatch(/^BODY OF SOLO/);
      expect(req.system).toContain(`Working directory: ${h.workspace}`);
      expect(req.system).toContain('Always use tabs.');
    }
    expect(h.model.requests.find((r) => r.lastUserText === 'second')!.system).not.toContain('first secret');
  });

  it('formats a result for the parent model with the agentId and usage trailer', async () => {
    await h.setup({}, () => ({ text: 'final words' }));
    const result = await h.engine().run(input());
    const text = formatResultForModel(result);
    expect(text.startsWith('final words\n\nagentId: ')).toBe(true);
    // Claude Code's trailer, word for word (docs/compatibility.md): the id to continue, then usage.
    expect(text).toBe(
      `final words\n\nagentId: ${result.agentId} (use SendMessage with to: '${result.agentId}', summary: '<5-10 word recap>' to continue this agent)\n` +
        `<usage>subagent_tokens: ${result.usage.totalTokens}\ntool_uses: 0\nduration_ms: ${Math.round(result.totalDurationMs)}</usage>`,
    );
  });

  it('Task() runs on the replaceable default engine', async () => {
    await h.setup({}, () => ({ text: 'from the default engine' }));
    setDefaultEngine(h.engine());
    try {
      const result = await Task(input());
      expect(result.content).toBe('from the default engine');
    } finally {
      setDefaultEngine(undefined);
    }
  });
});

describe('transcript events', () => {
  it('emits each turn and each tool call with its input, output or error, and refusals', async () => {
    await h.setup(
      {
        'a.txt': 'alpha',
        '.claude/agents/r.md': agentFile({ name: 'r', description: 'reader', tools: 'Read' }),
      },
      (req) =>
        req.turn === 0
          ? {
              text: 'looking',
              toolCalls: [
                { name: 'Read', input: { file_path: 'a.txt' } },
                { name: 'Bash', input: { command: 'id' } },
              ],
            }
          : { text: 'done' },
    );
    const engine = h.engine();
    const turns: { turn: number; text: string; toolCalls: { name: string }[] }[] = [];
    const tools: {
      phase: string;
      name: string;
      output?: string;
      error?: string;
      denied?: boolean;
      input: unknown;
    }[] = [];
    engine.events.on('task.turn', (e) => turns.push(e));
    engine.events.on('task.tool', (e) => tools.push(e));
    await engine.run(input({ subagent_type: 'r' }));

    expect(turns.map((t) => [t.turn, t.text, t.toolCalls.map((c) => c.name)])).toEqual([
      [1, 'looking', ['Read', 'Bash']],
      [2, 'done', []],
    ]);
    const read = tools.filter((t) => t.name === 'Read');
    expect(read.map((t) => t.phase)).toEqual(['started', 'finished']);
    expect(read[1]!.input).toEqual({ file_path: 'a.txt' });
    expect(read[1]!.output).toContain('alpha');
    const bash = tools.filter((t) => t.name === 'Bash');
    expect(bash).toHaveLength(1);
    expect(bash[0]).toMatchObject({ phase: 'finished', denied: true, input: { command: 'id' } });
    expect(bash[0]!.error).toBeTruthy();
  });
});
