import { describe, expect, it } from 'vitest';
import { loadRuntimeSettings } from '../src/config/index.ts';
import type { TaskEngineOptions, TaskResult } from '../src/engine/index.ts';
import type { ScriptedHandler, ScriptedRequest } from '../src/scripted-model/index.ts';
import { makeWorkspace, providersFor, useHarness } from './support.ts';

const h = useHarness();

const FOUND = {
  query: 'vitest latest release',
  results: [
    { url: 'https://vitest.dev/blog/vitest-5-1', title: 'Vitest 5.1 is out' },
    { url: 'https://github.com/vitest-dev/vitest/releases', title: 'Releases · vitest-dev/vitest' },
  ],
};

/**
 * The subagent asks WebSearch; the search call (the one offering the vendor's search tool) answers
 * with a server-side search; the subagent then reports the tool result it got.
 */
function searchingModel(input: Record<string, unknown>): ScriptedHandler {
  return (req) => {
    if (req.tools.includes('web_search') || req.tools.includes('google_search')) {
      return { text: 'Vitest 5.1 was released in May 2026.', webSearch: FOUND };
    }
    if (req.toolResults.length > 0) return { text: `Found:\n${req.toolResults[0]!.output}` };
    return { toolCalls: [{ name: 'WebSearch', input }] };
  };
}

/** Request bodies as they left the AI SDK clients, to see the vendor's tool definition itself. */
function recordingFetch(bodies: Record<string, unknown>[]): typeof fetch {
  return async (url, init) => {
    if (typeof init?.body === 'string') bodies.push(JSON.parse(init.body) as Record<string, unknown>);
    return fetch(url, init);
  };
}

async function runSearch(
  callerModel: string,
  input: Record<string, unknown>,
  options: Pick<TaskEngineOptions, 'webTools'> = {},
) {
  await h.setup({}, searchingModel(input));
  const bodies: Record<string, unknown>[] = [];
  const engine = h.engine({
    ...options,
    callerModel,
    fetch: recordingFetch(bodies),
    providers: [
      ...providersFor(h.model),
      { id: 'local', kind: 'openai-compatible', baseURL: h.model.baseUrls.openai, apiKey: 'test' },
      { id: 'openai-chat', kind: 'openai', api: 'chat', baseURL: h.model.baseUrls.openai, apiKey: 'test' },
    ],
  });
  const result = await engine.run({ description: 'search', prompt: 'What is the latest Vitest?' });
  const searchRequest = h.model.requests.find(
    (r) => r.tools.includes('web_search') || r.tools.includes('google_search'),
  );
  const searchBody = bodies.find((b) => JSON.stringify(b.tools ?? '').match(/web_search|googleSearch/));
  return { result, searchRequest, searchBody, requests: h.model.requests };
}

function toolResultSeen(requests: ScriptedRequest[]): string {
  const last = requests.at(-1)!;
  expect(last.toolResults).toHaveLength(1);
  return last.toolResults[0]!.output;
}

function expectSearched(result: TaskResult, output: string, titled: boolean) {
  expect(result.status).toBe('completed');
  expect(result.toolStats.WebSearch).toMatchObject({ calls: 1, errors: 0 });
  expect(output).toContain('Web search results for query: "vitest latest release"');
  expect(output).toContain('Vitest 5.1 was released in May 2026.');
  expect(output).toContain('https://vitest.dev/blog/vitest-5-1');
  if (titled) expect(output).toContain('[Vitest 5.1 is out](https://vitest.dev/blog/vitest-5-1)');
  // Three model calls were the task's: the turn asking, the search, the turn answering.
  expect(result.modelsUsed.reduce((n, m) => n + m.calls, 0)).toBe(3);
  expect(result.content).toContain('https://vitest.dev/blog/vitest-5-1');
}

describe('WebSearch through the provider-native search tool', () => {
  it('Anthropic: web_search_20250305 with the domain filter; server_tool_use results reach the model', async () => {
    const run = await runSearch('anthropic:claude-sonnet-5', {
      query: FOUND.query,
      allowed_domains: ['vitest.dev', 'github.com'],
    });
    expect(run.searchRequest).toMatchObject({ format: 'anthropic', model: 'claude-sonnet-5' });
    expect(run.searchBody?.tools).toEqual([
      {
        type: 'web_search_20250305',
        name: 'web_search',
        max_uses: 5,
        allowed_domains: ['vitest.dev', 'github.com'],
      },
    ]);
    expectSearched(run.result, toolResultSeen(run.requests), true);
  });

  it('OpenAI Responses: the web_search tool with filters; the web_search_call reaches the model', async () => {
    const run = await runSearch('openai:gpt-5.5', { query: FOUND.query, blocked_domains: ['example.com'] });
    expect(run.searchRequest).toMatchObject({ format: 'openai-responses', model: 'gpt-5.5' });
    expect(run.searchBody?.tools).toEqual([
      { type: 'web_search', filters: { blocked_domains: ['example.com'] } },
    ]);
    // OpenAI lists sources by URL only (the AI SDK prefers them to the citations' titles).
    expectSearched(run.result, toolResultSeen(run.requests), false);
  });

  it('Gemini: Google Search grounding; the grounding metadata reaches the model', async () => {
    const run = await runSearch('google:gemini-3-flash', { query: FOUND.query });
    expect(run.searchRequest).toMatchObject({ format: 'gemini', model: 'gemini-3-flash' });
    expect(run.searchBody?.tools).toEqual([{ googleSearch: {} }]);
    expectSearched(run.result, toolResultSeen(run.requests), true);
  });

  it('drops links outside allowed_domains whatever the vendor returned', async () => {
    const run = await runSearch('anthropic:claude-sonnet-5', {
      query: FOUND.query,
      allowed_domains: ['vitest.dev'],
    });
    const output = toolResultSeen(run.requests);
    expect(output).toContain('https://vitest.dev/blog/vitest-5-1');
    expect(output).not.toContain('github.com');
  });
});

describe('WebSearch where the provider has no search tool', () => {
  it.each([
    ['local:llama3', /OpenAI-compatible provider 'local' has no provider-native web search/, {}],
    ['openai-chat:gpt-5.5', /provider 'openai-chat' is configured for OpenAI's Chat Completions API/, {}],
    [
      'google:gemini-3-flash',
      /Google Search grounding \(provider 'google'\) has no domain filter/,
      { allowed_domains: ['vitest.dev'] },
    ],
  ])('%s: a clear tool error the model sees, no search request', async (model, message, extra) => {
    const run = await runSearch(model, { query: FOUND.query, ...extra });
    expect(run.searchRequest).toBeUndefined();
    expect(run.result.status).toBe('completed');
    expect(run.result.toolStats.WebSearch).toMatchObject({ calls: 1, errors: 1 });
    const output = toolResultSeen(run.requests);
    expect(output).toMatch(message);
    expect(output).toContain('Hint:');
  });
});

describe('webSearch in config', () => {
  it('sets maxUses, which reaches the vendor as its max_uses', async () => {
    const root = await makeWorkspace({
      '.codex-task/config.json': JSON.stringify({ webSearch: { maxUses: 2 } }),
    });
    const { engine: settings } = loadRuntimeSettings({ cwd: root, homeDir: root, env: {} });
    expect(settings.webTools).toEqual({ searchMaxUses: 2 });
    const run = await runSearch(
      'anthropic:claude-sonnet-5',
      { query: FOUND.query },
      { webTools: settings.webTools! },
    );
    expect(run.searchBody?.tools).toEqual([{ type: 'web_search_20250305', name: 'web_search', max_uses: 2 }]);
  });

  it.each([
    [0, '`webSearch.maxUses`: at least 1 search'],
    [51, '`webSearch.maxUses`: at most 50 searches'],
    ['3', '`webSearch.maxUses`: a whole number of searches'],
  ])('refuses maxUses %j with an error naming the file and the field', async (maxUses, message) => {
    const root = await makeWorkspace({
      '.codex-task/config.json': JSON.stringify({ webSearch: { maxUses } }),
    });
    const load = () => loadRuntimeSettings({ cwd: root, homeDir: root, env: {} });
    expect(load).toThrow('.codex-task/config.json: ');
    expect(load).toThrow(message);
  });
});
