import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, isStepCount, type LanguageModel, streamText, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { splitText } from './chunking.ts';
import { type ScriptedModelServer, startScriptedModel, type WireFormatName } from './index.ts';

// Every vendor format through its real AI SDK client, over real HTTP.
let server: ScriptedModelServer;
beforeAll(async () => {
  server = await startScriptedModel();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const clients: { name: string; format: WireFormatName; model: () => LanguageModel }[] = [
  {
    name: 'anthropic',
    format: 'anthropic',
    model: () => createAnthropic({ baseURL: server.baseUrls.anthropic, apiKey: 'test' })('claude-sonnet-4-5'),
  },
  {
    name: 'openai responses',
    format: 'openai-responses',
    model: () => createOpenAI({ baseURL: server.baseUrls.openai, apiKey: 'test' }).responses('gpt-4.1'),
  },
  {
    name: 'openai chat',
    format: 'openai-chat',
    model: () => createOpenAI({ baseURL: server.baseUrls.openai, apiKey: 'test' }).chat('gpt-4.1'),
  },
  {
    name: 'google',
    format: 'gemini',
    model: () =>
      createGoogleGenerativeAI({ baseURL: server.baseUrls.google, apiKey: 'test' })('gemini-2.5-flash'),
  },
  {
    name: 'openai-compatible',
    format: 'openai-chat',
    model: () =>
      createOpenAICompatible({
        name: 'local',
        baseURL: server.baseUrls.openai,
        apiKey: 'test',
        includeUsage: true,
      })('qwen3-coder'),
  },
];

const LONG_TEXT = 'The quick brown fox jumps over the lazy dog while the scripted model streams every word.';

const weatherScript = {
  rules: [
    { when: { toolResult: 'sunny' }, reply: { text: 'Report: {{toolResult}} (turn {{turn}})' } },
    {
      when: { tool: '^weather$' },
      reply: { text: 'Checking.', toolCalls: [{ name: 'weather', input: { city: '{{user}}' } }] },
    },
  ],
};

function weatherTool(calls: string[]) {
  return tool({
    description: 'Current weather for a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      calls.push(city);
      return `sunny in ${city}`;
    },
  });
}

describe.each(clients)('$name', ({ format, model }) => {
  it('generates text, with the system prompt and usage carried both ways', async () => {
    server.setHandler((req) => ({
      text: `echo: ${req.lastUserText}`,
      usage: { inputTokens: 120, outputTokens: 7, cachedInputTokens: 20 },
    }));
    const result = await generateText({
      model: model(),
      instructions: 'Be terse.',
      prompt: 'hello there',
      maxRetries: 0,
    });
    expect(result.text).toBe('echo: hello there');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBe(120);
    expect(result.usage.outputTokens).toBe(7);
    expect(result.usage.inputTokenDetails.cacheReadTokens).toBe(20);
    const [request] = server.requests;
    expect(request).toMatchObject({
      format,
      stream: false,
      system: 'Be terse.',
      turn: 0,
      lastUserText: 'hello there',
    });
  });

  it('streams text in several deltas, with estimated usage', async () => {
    server.setHandler(() => ({ text: LONG_TEXT }));
    const result = streamText({ model: model(), prompt: 'stream please', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    // The six word-boundary chunks the server sent (16 words, three a chunk), as sent.
    expect(deltas).toEqual(splitText(LONG_TEXT));
    expect(deltas).toHaveLength(6);
    const usage = await result.usage;
    expect(usage.outputTokens).toBe(Math.ceil(LONG_TEXT.length / 4));
    // ~4 characters a token: the conversation is the prompt alone.
    expect(usage.inputTokens).toBe(Math.ceil('stream please'.length / 4));
    expect(server.requests[0]).toMatchObject({ format, stream: true });
  });

  it('runs a tool the model calls, then answers from its result (generateText)', async () => {
    server.setHandler(weatherScript);
    const calls: string[] = [];
    const result = await generateText({
      model: model(),
      prompt: 'Paris',
      tools: { weather: weatherTool(calls) },
      stopWhen: isStepCount(3),
      maxRetries: 0,
    });
    expect(calls).toEqual(['Paris']);
    expect(result.steps).toHaveLength(2);
    expect(result.text).toBe('Report: sunny in Paris (turn 1)');
    expect(result.usage.outputTokens).toBeGreaterThan(result.finalStep.usage.outputTokens ?? 0);

    const [first, second] = server.requests;
    expect(first).toMatchObject({ turn: 0, tools: ['weather'], toolResults: [] });
    expect(second).toMatchObject({ turn: 1, lastUserText: 'Paris' });
    const assistant = second!.messages.find((m) => m.role === 'assistant');
    expect(assistant).toMatchObject({
      text: 'Checking.',
      toolCalls: [{ name: 'weather', input: { city: 'Paris' } }],
    });
    const callId = assistant?.role === 'assistant' ? assistant.toolCalls[0]!.id : '';
    expect(second!.toolResults).toMatchObject([
      { name: 'weather', callId, output: expect.stringContaining('sunny in Paris') },
    ]);
  });

  it('runs a tool the model calls, then answers from its result (streamText)', async () => {
    server.setHandler(weatherScript);
    const calls: string[] = [];
    const result = streamText({
      model: model(),
      prompt: 'Oslo',
      tools: { weather: weatherTool(calls) },
      stopWhen: isStepCount(3),
      maxRetries: 0,
    });
    const parts: string[] = [];
    for await (const part of result.stream) parts.push(part.type);
    expect(parts).toContain('tool-input-delta');
    expect(parts).toContain('tool-result');
    expect(calls).toEqual(['Oslo']);
    expect(await result.text).toBe('Report: sunny in Oslo (turn 1)');
    expect(await result.finishReason).toBe('stop');
    expect(server.requests.map((r) => r.turn)).toEqual([0, 1]);
  });

  it('reports tool-calls as the finish reason when the run stops at a tool call', async () => {
    server.setHandler({ rules: [{ reply: { toolCalls: [{ name: 'weather', input: { city: 'Rome' } }] } }] });
    const result = await generateText({
      model: model(),
      prompt: 'Rome',
      tools: { weather: weatherTool([]) },
      maxRetries: 0,
    });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls.map((call) => call.input)).toEqual([{ city: 'Rome' }]);
  });
});

it('paces a stream when chunkDelayMs is set, so a consumer sees deltas arrive over time', async () => {
  server.setHandler(() => ({ text: LONG_TEXT, chunkDelayMs: 15 }));
  const result = streamText({ model: clients[0]!.model(), prompt: 'slowly', maxRetries: 0 });
  const arrivals: number[] = [];
  for await (const _ of result.textStream) arrivals.push(performance.now());
  expect(arrivals).toHaveLength(splitText(LONG_TEXT).length);
  // Five 15 ms pauses between the six deltas at the least (a lower bound: a slow machine only adds).
  expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(40);
});

it('resolves the item references the Responses client sends for earlier output', async () => {
  server.setHandler(weatherScript);
  await generateText({
    model: clients[1]!.model(),
    prompt: 'Lima',
    tools: { weather: weatherTool([]) },
    stopWhen: isStepCount(3),
    maxRetries: 0,
  });
  // With store (the default) the SDK sends `item_reference` for the first turn's message item.
  const second = server.requests[1]!;
  expect(second.messages.filter((m) => m.role === 'assistant')).toEqual([
    { role: 'assistant', text: 'Checking.', toolCalls: [expect.objectContaining({ name: 'weather' })] },
  ]);
});
