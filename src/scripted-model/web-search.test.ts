import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, type LanguageModel, streamText, type ToolSet } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ScriptedModelServer, type ScriptedWebSearch, startScriptedModel } from './index.ts';

// Server-side web search in each vendor's shape, read back by the vendor's real AI SDK client.
let server: ScriptedModelServer;
beforeAll(async () => {
  server = await startScriptedModel();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const SEARCH: ScriptedWebSearch = {
  query: 'node 24 release date',
  results: [
    { url: 'https://nodejs.org/en/blog/release/v24.0.0', title: 'Node.js 24.0.0' },
    { url: 'https://github.com/nodejs/node/releases', title: 'Releases · nodejs/node' },
  ],
};

const vendors: {
  name: string;
  toolName: string;
  titled: boolean;
  setup: () => { model: LanguageModel; tools: ToolSet };
}[] = [
  {
    name: 'anthropic',
    toolName: 'web_search',
    titled: true,
    setup: () => {
      const anthropic = createAnthropic({ baseURL: server.baseUrls.anthropic, apiKey: 'test' });
      return {
        model: anthropic('claude-sonnet-5'),
        tools: { web_search: anthropic.tools.webSearch_20250305({ maxUses: 2 }) },
      };
    },
  },
  {
    name: 'openai responses',
    toolName: 'web_search',
    titled: false,
    setup: () => {
      const openai = createOpenAI({ baseURL: server.baseUrls.openai, apiKey: 'test' });
      return { model: openai.responses('gpt-5.5'), tools: { web_search: openai.tools.webSearch({}) } };
    },
  },
  {
    name: 'google',
    toolName: 'google_search',
    titled: true,
    setup: () => {
      const google = createGoogleGenerativeAI({ baseURL: server.baseUrls.google, apiKey: 'test' });
      return { model: google('gemini-3-flash'), tools: { google_search: google.tools.googleSearch({}) } };
    },
  },
];

describe.each(vendors)('$name web search', ({ toolName, titled, setup }) => {
  const expectSources = (sources: { sourceType: string; url?: string; title?: string }[]) => {
    expect(sources.map((s) => s.url)).toEqual(SEARCH.results.map((r) => r.url));
    if (titled) expect(sources.map((s) => s.title)).toEqual(SEARCH.results.map((r) => r.title));
  };

  it('is offered as the vendor tool, and its results come back as sources (JSON)', async () => {
    server.setHandler((req) => {
      expect(req.tools).toEqual([toolName]);
      return { text: 'Node 24 came out in May 2025.', webSearch: SEARCH };
    });
    const { model, tools } = setup();
    const result = await generateText({ model, tools, prompt: 'When was Node 24 released?', maxRetries: 0 });
    expect(result.text).toBe('Node 24 came out in May 2025.');
    expectSources(result.sources);
    expect(server.requests).toHaveLength(1);
  });

  it('streams the same', async () => {
    server.setHandler(() => ({ text: 'Node 24 came out in May 2025.', webSearch: SEARCH }));
    const { model, tools } = setup();
    const result = streamText({ model, tools, prompt: 'When was Node 24 released?', maxRetries: 0 });
    expect(await result.text).toBe('Node 24 came out in May 2025.');
    expectSources(await result.sources);
  });
});

describe('web search in a script file', () => {
  it('is a reply field, validated with the rest', async () => {
    server.setHandler({
      rules: [{ when: { tool: 'web_search' }, reply: { text: 'Found it.', webSearch: SEARCH } }],
    });
    const { model, tools } = vendors[0]!.setup();
    const result = await generateText({ model, tools, prompt: 'Search', maxRetries: 0 });
    expect(result.sources.map((s) => (s.sourceType === 'url' ? s.url : ''))).toEqual(
      SEARCH.results.map((r) => r.url),
    );
    expect(() => server.setHandler({ rules: [{ reply: { webSearch: { query: 'q' } } }] } as never)).toThrow(
      /rules\[0\]\.reply\.webSearch\.results/,
    );
  });
});
