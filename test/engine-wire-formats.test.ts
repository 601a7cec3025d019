import { describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../src/providers/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { estimateTokens, requestChars } from '../src/scripted-model/usage.ts';
import { agentFile, useHarness } from './support.ts';

const h = useHarness();

/** Reads a file on the first turn, then answers quoting the tool's real output. */
function readThenAnswer(req: ScriptedRequest) {
  if (req.turn === 0) return { toolCalls: [{ name: 'Read', input: { file_path: 'notes.md' } }] };
  return { text: `Notes say: ${req.toolResults[0]?.output ?? 'nothing'}` };
}

const cases: {
  name: string;
  format: ScriptedRequest['format'];
  provider: (urls: { anthropic: string; openai: string; google: string }) => ProviderConfig;
  model: string;
}[] = [
  {
    name: 'Anthropic Messages',
    format: 'anthropic',
    model: 'claude-sonnet-5',
    provider: (u) => ({ id: 'anthropic', kind: 'anthropic', baseURL: u.anthropic, apiKey: 't' }),
  },
  {
    name: 'OpenAI Responses',
    format: 'openai-responses',
    model: 'gpt-5.5',
    provider: (u) => ({ id: 'openai', kind: 'openai', baseURL: u.openai, apiKey: 't' }),
  },
  {
    name: 'OpenAI Chat Completions',
    format: 'openai-chat',
    model: 'gpt-5.5',
    provider: (u) => ({ id: 'openai', kind: 'openai', api: 'chat', baseURL: u.openai, apiKey: 't' }),
  },
  {
    name: 'Gemini generateContent',
    format: 'gemini',
    model: 'gemini-3-flash',
    provider: (u) => ({ id: 'google', kind: 'google', baseURL: u.google, apiKey: 't' }),
  },
  {
    name: 'OpenAI-compatible',
    format: 'openai-chat',
    model: 'llama3:8b',
    provider: (u) => ({
      id: 'local',
      kind: 'openai-compatible',
      baseURL: u.openai,
      tiers: { sonnet: 'llama3:8b' },
    }),
  },
];

describe('a subagent with a tool call, on every wire format through the AI SDK clients', () => {
  for (const c of cases) {
    it(c.name, async () => {
      await h.setup(
        {
          'notes.md': 'the deploy key rotates on Fridays',
          '.claude/agents/reader.md': agentFile({
            name: 'reader',
            description: 'reads',
            tools: 'Read',
            model: c.model,
          }),
        },
        readThenAnswer,
      );
      const engine = h.engine({ providers: [c.provider(h.model.baseUrls)] });
      const result = await engine.run({
        description: 'read notes',
        prompt: 'What do the notes say?',
        subagent_type: 'reader',
      });

      expect(result.error).toBeUndefined();
      expect(result.status).toBe('completed');
      expect(result.content).toContain('the deploy key rotates on Fridays');
      expect(result.resolvedModel).toBe(`${c.provider(h.model.baseUrls).id}:${c.model}`);
      expect(result.turns).toBe(2);
      expect(result.totalToolUseCount).toBe(1);
      expect(result.toolStats.Read).toMatchObject({ calls: 1, errors: 0, denied: 0 });
      const requests = h.model.requests;
      // What the scripted model reports (~4 characters a token, rounded up), summed over both calls.
      // Input: its estimate of each request as it arrived. Output: the Read call, `Read` +
      // `{"file_path":"notes.md"}` (28 characters: 7 tokens), then the answer, `Notes say: ` +
      // `     1\tthe deploy key rotates on Fridays` (51 characters: 13 tokens).
      const inputTokens = requests.reduce((sum, r) => sum + estimateTokens(requestChars(r)), 0);
      expect(result.usage).toMatchObject({
        inputTokens,
        outputTokens: 7 + 13,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        totalTokens: inputTokens + 20,
      });
      expect(requests.map((r) => r.format)).toEqual([c.format, c.format]);
      expect(requests[0]!.model).toBe(c.model);
      expect(requests[0]!.tools).toEqual(['Read']);
    });
  }
});
