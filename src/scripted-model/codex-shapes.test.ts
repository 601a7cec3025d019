import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScriptedModelServer, startScriptedModel } from './index.ts';
import { parseScript } from './script.ts';

// The Responses shapes Codex CLI sends and expects (docs/compatibility.md), beyond what the AI SDK uses.
let server: ScriptedModelServer;
beforeAll(async () => {
  server = await startScriptedModel();
});
afterAll(() => server.close());

async function sse(body: unknown): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${server.baseUrls.openai}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stream: true, ...(body as object) }),
  });
  expect(res.status).toBe(200);
  return (await res.text())
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
}

const doneItems = (events: Record<string, unknown>[]) =>
  events.filter((e) => e.type === 'response.output_item.done').map((e) => e.item as Record<string, unknown>);

describe('Codex shapes in the Responses format', () => {
  it('reads code-mode tools, tool searches and namespaced calls from the input', async () => {
    server.setHandler(() => ({ text: 'ok' }));
    await sse({
      model: 'gpt-6.1-sol',
      input: [
        {
          type: 'additional_tools',
          role: 'developer',
          tools: [{ type: 'namespace', name: 'functions', tools: [{ type: 'custom', name: 'exec' }] }],
        },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'delegate' }] },
        { type: 'tool_search_call', call_id: 'ts1', execution: 'client', arguments: { query: 'agent' } },
        {
          type: 'tool_search_output',
          call_id: 'ts1',
          tools: [
            { type: 'namespace', name: 'mcp__codex_task', tools: [{ type: 'function', name: 'Task' }] },
          ],
        },
        { type: 'function_call', call_id: 'c1', namespace: 'mcp__codex_task', name: 'Task', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'done' },
      ],
    });
    const req = server.requests.at(-1)!;
    expect(req.tools).toEqual(['functions__exec']);
    expect(req.turn).toBe(2);
    expect(req.messages).toContainEqual({
      role: 'tool',
      callId: 'ts1',
      name: 'tool_search',
      output: 'mcp__codex_task__Task',
      itemType: 'tool_search_output',
    });
    expect(req.toolResults).toEqual([
      { callId: 'c1', name: 'mcp__codex_task__Task', output: 'done', itemType: 'function_call_output' },
    ]);
  });

  it('answers with custom tool calls, tool searches and namespaced function calls', async () => {
    server.setHandler(() => ({
      toolCalls: [
        { kind: 'tool_search', name: 'tool_search', input: { query: 'subagent', limit: 4 }, id: 'ts9' },
        { kind: 'custom', name: 'exec', input: 'text(await tools.mcp__x__y({}));', id: 'x9' },
        { namespace: 'mcp__codex_task', name: 'Task', input: { prompt: 'p' }, id: 'c9' },
      ],
    }));
    const events = await sse({ model: 'gpt-5.5', input: 'go' });
    expect(doneItems(events)).toMatchObject([
      {
        type: 'tool_search_call',
        call_id: 'ts9',
        execution: 'client',
        arguments: { query: 'subagent', limit: 4 },
      },
      { type: 'custom_tool_call', call_id: 'x9', name: 'exec', input: 'text(await tools.mcp__x__y({}));' },
      {
        type: 'function_call',
        call_id: 'c9',
        namespace: 'mcp__codex_task',
        name: 'Task',
        arguments: '{"prompt":"p"}',
      },
    ]);
    for (const item of doneItems(events)) expect(item.id).toEqual(expect.any(String));
    const deltas = events
      .filter((e) => e.type === 'response.custom_tool_call_input.delta')
      .map((e) => e.delta);
    expect(deltas.join('')).toBe('text(await tools.mcp__x__y({}));');
    expect(events.at(-1)).toMatchObject({ type: 'response.completed', response: { id: expect.any(String) } });
  });

  it('accepts the new call fields in scripts', () => {
    const script = parseScript({
      rules: [
        { reply: { toolCalls: [{ name: 'exec', kind: 'custom', input: '1', namespace: 'functions' }] } },
      ],
    });
    expect(script.rules[0]?.reply).toMatchObject({ toolCalls: [{ kind: 'custom', namespace: 'functions' }] });
    expect(() =>
      parseScript({ rules: [{ reply: { toolCalls: [{ name: 'x', kind: 'magic' }] } }] }),
    ).toThrow();
  });
});
