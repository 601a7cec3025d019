import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { QueueClient } from '../src/queue/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { useQueue } from './queue-support.ts';
import { useHarness } from './support.ts';

// Finding 4 of the queue review: the job's return value (result and transcript) and the relayed
// events carried a token a task had read, in clear, to Redis — where every client of the queue (and
// anyone with its password) reads them; only the worker's own run store was redacted.
const h = useHarness();
const q = useQueue(h);

const TOKEN = `ghp_${'A1b2C3d4E5'.repeat(4).slice(0, 36)}`;

/** Reads deploy.txt, then answers with what it read. */
function reader(req: ScriptedRequest) {
  if (req.turn === 0) return { toolCalls: [{ name: 'Read', input: { file_path: 'deploy.txt' } }] };
  const read = req.messages.filter((m) => m.role === 'tool').map((m) => m.output);
  return { text: `read: ${read.join('\n')}` };
}

/** Every key under the prefix with its whole value, whatever its type. */
async function dump(redis: Redis, prefix: string): Promise<string> {
  const out: string[] = [];
  for (const key of await redis.keys(`${prefix}*`)) {
    const type = await redis.type(key);
    const value =
      type === 'string'
        ? await redis.get(key)
        : type === 'hash'
          ? await redis.hgetall(key)
          : type === 'list'
            ? await redis.lrange(key, 0, -1)
            : type === 'zset'
              ? await redis.zrange(key, 0, -1)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'stream'
                  ? await redis.xrange(key, '-', '+')
                  : type;
    out.push(`${key} ${JSON.stringify(value)}`);
  }
  return out.join('\n');
}

describe('what a worker puts in Redis', () => {
  it('has the token a task read redacted: in events, in the result and its transcript, in every key', async () => {
    q.fresh();
    await h.setup({ 'deploy.txt': `deploy with ${TOKEN}\n` }, reader);
    await q.worker();
    const spy = new Redis(q.redis.url);
    const inspect = new Redis(q.redis.url);
    const heard: string[] = [];
    spy.on('pmessage', (_pattern, _channel, message: string) => heard.push(message));
    await spy.psubscribe(`${q.prefix}:*`);
    const client = new QueueClient({ settings: { ...q.engineOptions().queue!, attempts: 1 } as never });
    try {
      const { result, transcript } = await client.execute(
        {
          taskId: 'secret-task',
          cwd: h.workspace,
          input: { description: 'd', prompt: 'read it', subagent_type: 'general-purpose' },
        },
        { emit: () => {}, signal: new AbortController().signal },
      );
      expect(result.status).toBe('completed');
      expect(String(result.content)).toMatch(/deploy with \[REDACTED\]/);
      expect(JSON.stringify(transcript)).not.toContain(TOKEN);
      // The tool's output was relayed (so the check below looked at something).
      expect(heard.some((m) => m.includes('task.tool') && m.includes('deploy with'))).toBe(true);
      expect(heard.filter((m) => m.includes(TOKEN))).toEqual([]);
      const stored = await dump(inspect, q.prefix);
      expect(stored).toContain(':outcome:secret-task');
      expect(stored).not.toContain(TOKEN);
    } finally {
      await client.close();
      spy.disconnect();
      inspect.disconnect();
    }
  });
});
