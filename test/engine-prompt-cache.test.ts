import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { costOf, priceFor } from '../src/models/index.ts';
import { type Observability, observe } from '../src/observe/index.ts';
import type { ProviderConfig } from '../src/providers/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { createLogger } from '../src/telemetry/index.ts';
import { agentFile, useHarness } from './support.ts';

// Prompt caching end to end: what the engine asks each vendor to cache, what the vendor (the
// scripted model) reports, and what the result, its cost and the run record say.
const h = useHarness();
let obs: Observability | undefined;
afterEach(async () => {
  await obs?.close();
  obs = undefined;
});

/** ~1,500 tokens at the scripted model's ~4 characters a token: over every vendor's 1,024 minimum. */
const BODY = 'Review the change with care and name each risk you find. '.repeat(105);

function readThenAnswer(req: ScriptedRequest) {
  if (req.turn === 0) return { toolCalls: [{ name: 'Read', input: { file_path: 'notes.md' } }] };
  return { text: `Read: ${req.toolResults[0]?.output ?? ''}` };
}

const cases: {
  name: string;
  model: string;
  automatic: boolean;
  /** Sends OpenAI's `prompt_cache_key`. */
  cacheKey?: true;
  provider: (urls: { anthropic: string; openai: string; google: string }) => ProviderConfig;
}[] = [
  {
    name: 'Anthropic Messages',
    model: 'claude-sonnet-5',
    automatic: false,
    provider: (u) => ({ id: 'anthropic', kind: 'anthropic', baseURL: u.anthropic, apiKey: 't' }),
  },
  {
    name: 'OpenAI Responses',
    model: 'gpt-5.5',
    automatic: true,
    cacheKey: true,
    provider: (u) => ({ id: 'openai', kind: 'openai', baseURL: u.openai, apiKey: 't' }),
  },
  {
    name: 'OpenAI Chat Completions',
    model: 'gpt-5.5',
    automatic: true,
    cacheKey: true,
    provider: (u) => ({ id: 'openai', kind: 'openai', api: 'chat', baseURL: u.openai, apiKey: 't' }),
  },
  {
    name: 'Gemini generateContent',
    model: 'gemini-3-flash',
    automatic: true,
    provider: (u) => ({ id: 'google', kind: 'google', baseURL: u.google, apiKey: 't' }),
  },
  {
    // Servers such as vLLM cache prefixes on their own and report them as OpenAI does; unpriced.
    name: 'OpenAI-compatible',
    model: 'llama3:8b',
    automatic: true,
    provider: (u) => ({ id: 'local', kind: 'openai-compatible', baseURL: u.openai }),
  },
];

describe('prompt caching of a subagent, on every vendor through the AI SDK clients', () => {
  for (const c of cases) {
    it(c.name, async () => {
      await h.setup(
        {
          'notes.md': 'ship on Friday',
          '.claude/agents/reviewer.md': agentFile(
            { name: 'reviewer', description: 'reviews', tools: 'Read', model: c.model },
            BODY,
          ),
        },
        readThenAnswer,
      );
      const provider = c.provider(h.model.baseUrls);
      obs = observe(h.engine({ providers: [provider] }), {
        env: {},
        store: join(h.workspace, 'runs.db'),
        logger: createLogger({ level: 'error', destination: { write: () => {} } }),
        metrics: new Registry(),
        tracing: false,
      });
      const run = async (prompt: string) => {
        const { taskId, result } = obs!.start({ description: 'review', prompt, subagent_type: 'reviewer' });
        const r = await result;
        expect(r.status).toBe('completed');
        return { taskId, r };
      };
      const first = await run('Review the first change.');
      const second = await run('Review the second change, which is longer.');
      const requests = h.model.requests;
      expect(requests).toHaveLength(4);

      // The stable prompt is the same prefix in every request; the environment comes after it.
      for (const req of requests) {
        expect(req.system.startsWith(BODY.trim())).toBe(true);
        expect(req.system.indexOf('# Environment')).toBeGreaterThan(BODY.length);
      }
      if (c.automatic) {
        // OpenAI: one cache key per agent (and project); the others need nothing but the stable prefix.
        const keys = [...new Set(requests.map((r) => r.promptCacheKey))];
        expect(keys).toEqual([
          c.cacheKey ? expect.stringMatching(/^codex-task:reviewer:[0-9a-f]{12}$/) : undefined,
        ]);
        expect(first.r.usage.cacheWriteTokens).toBe(0);
      } else {
        // The last tool, the stable system block, and the conversation's last message.
        expect(requests[0]!.cacheBreakpoints).toEqual(['tools[0]', 'system[0]', 'messages[0].content[0]']);
        expect(requests[1]!.cacheBreakpoints).toEqual(['tools[0]', 'system[0]', 'messages[2].content[0]']);
        expect(first.r.usage.cacheWriteTokens).toBeGreaterThan(1500);
        // The second task writes only what differs from the first: its environment block and prompt on.
        expect(second.r.usage.cacheWriteTokens).toBeLessThan(first.r.usage.cacheWriteTokens / 2);
      }
      // Turn 2 of each task reads turn 1; the second task's turn 1 also reads the first task's stable prefix.
      expect(first.r.usage.cacheReadTokens).toBeGreaterThanOrEqual(1024);
      expect(second.r.usage.cacheReadTokens).toBeGreaterThan(first.r.usage.cacheReadTokens);

      // Cost at the cache prices (null for an unpriced model), and the run record, from the same usage.
      const price = priceFor(`${provider.id}:${c.model}`, c.model);
      for (const { taskId, r } of [first, second]) {
        if (!price) expect(r.usage.costUsd).toBeNull();
        else {
          expect(r.usage.costUsd).toBeCloseTo(costOf(r.usage, price)!, 12);
          expect(r.usage.costUsd).toBeLessThan(
            costOf({ ...r.usage, cacheReadTokens: 0, cacheWriteTokens: 0 }, price)!,
          );
        }
        expect(obs!.store!.get(taskId)!.usage).toMatchObject({
          cacheReadTokens: r.usage.cacheReadTokens,
          cacheWriteTokens: r.usage.cacheWriteTokens,
        });
      }
    });
  }
});
