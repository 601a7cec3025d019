import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, type LanguageModel, type SystemModelMessage, streamText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ScriptedModelServer, startScriptedModel } from './index.ts';
import { type CacheSegment, PromptCache } from './prompt-cache.ts';

// The vendors' prompt caches as the scripted model plays them, seen through the real AI SDK clients.
let server: ScriptedModelServer;
beforeAll(async () => {
  server = await startScriptedModel({ handler: () => ({ text: 'ok' }) });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** 6,000 characters: 1,500 tokens at the server's ~4 characters a token, over the 1,024 minimum. */
const STABLE = 'Follow the house rules. '.repeat(250);
const BREAKPOINT = { anthropic: { cacheControl: { type: 'ephemeral' } } } as const;

function instructions(volatile: string, marked = true): SystemModelMessage[] {
  return [
    { role: 'system', content: STABLE, ...(marked && { providerOptions: BREAKPOINT }) },
    { role: 'system', content: volatile },
  ];
}

const anthropic = () =>
  createAnthropic({ baseURL: server.baseUrls.anthropic, apiKey: 't' })('claude-sonnet-4-5');

async function call(
  model: LanguageModel,
  volatile: string,
  options: { marked?: boolean; prompt?: string } = {},
) {
  const result = await generateText({
    model,
    instructions: instructions(volatile, options.marked),
    prompt: options.prompt ?? 'What now?',
    providerOptions: { openai: { promptCacheKey: 'codex-task:test:0123456789ab' } },
    maxRetries: 0,
  });
  return result.usage;
}

describe('Anthropic: explicit breakpoints', () => {
  it('writes the marked prefix once, then reads it; the part after the breakpoint is paid in full', async () => {
    const first = await call(anthropic(), 'Directory: /a');
    expect(first.inputTokenDetails).toMatchObject({ cacheWriteTokens: 1500, cacheReadTokens: 0 });
    const second = await call(anthropic(), 'Directory: /b, another day', { prompt: 'Something else?' });
    expect(second.inputTokenDetails).toMatchObject({ cacheWriteTokens: 0, cacheReadTokens: 1500 });
    // input_tokens + cache_creation + cache_read, as the SDK sums them: the whole prompt.
    expect(second.inputTokens).toBe(second.inputTokenDetails.noCacheTokens! + 1500);
    expect(server.requests[0]!.cacheBreakpoints).toEqual(['system[0]']);
  });

  it('caches nothing without cache_control, nor a marked prefix under 1,024 tokens', async () => {
    await call(anthropic(), 'v1', { marked: false });
    expect((await call(anthropic(), 'v1', { marked: false })).inputTokenDetails).toMatchObject({
      cacheWriteTokens: 0,
      cacheReadTokens: 0,
    });
    const short = () =>
      generateText({
        model: anthropic(),
        instructions: [{ role: 'system', content: 'Short. '.repeat(500), providerOptions: BREAKPOINT }],
        prompt: 'hi',
        maxRetries: 0,
      });
    await short();
    expect((await short()).usage.inputTokenDetails).toMatchObject({
      cacheWriteTokens: 0,
      cacheReadTokens: 0,
    });
  });

  it('reports cache tokens on a stream too (message_start)', async () => {
    await call(anthropic(), 'v1');
    const result = streamText({
      model: anthropic(),
      instructions: instructions('v2'),
      prompt: 'go',
      maxRetries: 0,
    });
    await result.consumeStream();
    expect((await result.usage).inputTokenDetails).toMatchObject({
      cacheReadTokens: 1500,
      cacheWriteTokens: 0,
    });
  });

  it('lets requests sent together all miss (and all write): an entry is readable once a response started', async () => {
    server.setHandler(() => ({ text: 'ok', latencyMs: 50 }));
    const together = await Promise.all([call(anthropic(), 'a'), call(anthropic(), 'b')]);
    expect(together.map((u) => u.inputTokenDetails.cacheWriteTokens)).toEqual([1500, 1500]);
    expect((await call(anthropic(), 'c')).inputTokenDetails.cacheReadTokens).toBe(1500);
  });
});

/** What an automatic cache reads of a prefix shared over `chars` characters: 1,024 tokens, then steps of 128. */
function automaticRead(chars: number): number {
  if (chars < 4096) return 0;
  return (4096 + Math.floor((chars - 4096) / 512) * 512) / 4;
}

describe.each([
  {
    name: 'OpenAI Responses',
    model: () => createOpenAI({ baseURL: server.baseUrls.openai, apiKey: 't' }).responses('gpt-5'),
    separator: '\n\n',
  },
  {
    name: 'OpenAI Chat',
    model: () => createOpenAI({ baseURL: server.baseUrls.openai, apiKey: 't' }).chat('gpt-5'),
    separator: '\n\n',
  },
  {
    name: 'Gemini',
    model: () =>
      createGoogleGenerativeAI({ baseURL: server.baseUrls.google, apiKey: 't' })('gemini-2.5-flash'),
    separator: '\n',
  },
])('$name: automatic prefix caching', ({ name, model, separator }) => {
  it('reads the longest prefix seen before, from 1,024 tokens in steps of 128, and writes nothing', async () => {
    const first = await call(model(), 'A: first task');
    expect(first.inputTokenDetails.cacheReadTokens).toBe(0);
    const second = await call(model(), 'B: second task');
    // Shared: the stable prompt and the separator the format joins system blocks with.
    const read = automaticRead(STABLE.length + separator.length);
    expect(read).toBe(1408);
    expect(second.inputTokenDetails.cacheReadTokens).toBe(read);
    expect(second.inputTokenDetails.cacheWriteTokens ?? 0).toBe(0);
    if (name !== 'Gemini') expect(server.requests[0]!.promptCacheKey).toBe('codex-task:test:0123456789ab');
  });

  it('caches nothing under 1,024 tokens, and nothing across models', async () => {
    const short = () => generateText({ model: model(), instructions: 'Short.', prompt: 'hi', maxRetries: 0 });
    await short();
    expect((await short()).usage.inputTokenDetails.cacheReadTokens).toBe(0);
    await call(model(), 'A');
    const other =
      name === 'Gemini'
        ? createGoogleGenerativeAI({ baseURL: server.baseUrls.google, apiKey: 't' })('gemini-2.5-pro')
        : createOpenAI({ baseURL: server.baseUrls.openai, apiKey: 't' }).responses('gpt-5-mini');
    expect((await call(other, 'A')).inputTokenDetails.cacheReadTokens).toBe(0);
  });
});

it('can be turned off', async () => {
  const off = await startScriptedModel({ promptCache: false });
  try {
    const model = createAnthropic({ baseURL: off.baseUrls.anthropic, apiKey: 't' })('claude-sonnet-4-5');
    await call(model, 'v');
    expect((await call(model, 'v')).inputTokenDetails).toMatchObject({
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  } finally {
    await off.close();
  }
});

describe('PromptCache.explicit', () => {
  const seg = (chars: number, identity: string, breakpoint = false): CacheSegment => ({
    chars,
    identity,
    breakpoint,
  });

  it('finds an earlier entry up to 20 blocks before a breakpoint (a conversation growing turn by turn)', () => {
    const cache = new PromptCache();
    const turn1 = [seg(4800, 'system', true), seg(400, 'user', true)];
    const one = cache.explicit('m', turn1);
    expect(one.usage).toEqual({ readTokens: 0, writeTokens: 1300 });
    one.commit();
    // Turn 2: the last message moved on; its breakpoint reaches back to turn 1's.
    const turn2 = [
      seg(4800, 'system', true),
      seg(400, 'user'),
      seg(200, 'assistant'),
      seg(200, 'tool', true),
    ];
    const two = cache.explicit('m', turn2);
    expect(two.usage).toEqual({ readTokens: 1300, writeTokens: 100 });
    // Past the look-back: only the system breakpoint's own entry is found.
    const far = [
      seg(4800, 'system', true),
      seg(400, 'user'),
      ...Array.from({ length: 21 }, (_, i) => seg(4, `t${i}`)),
      seg(4, 'x', true),
    ];
    expect(cache.explicit('m', far).usage.readTokens).toBe(1200);
    // Another namespace (model) shares nothing.
    expect(cache.explicit('other', turn1).usage.readTokens).toBe(0);
  });
});
