import { describe, expect, it } from 'vitest';
import type { TaskResult } from '../engine/index.ts';
import { BackgroundNotices } from './background-notices.ts';

const result = (agentId: string, content: string) =>
  ({
    agentId,
    taskId: agentId,
    description: 'look around',
    status: 'completed',
    content,
    usage: { totalTokens: 5 },
    totalToolUseCount: 1,
    totalDurationMs: 10,
  }) as unknown as TaskResult;

function finishedTask(notices: BackgroundNotices, conversation: string, id: string) {
  const { promise, resolve } = Promise.withResolvers<TaskResult>();
  notices.launched(conversation, { callId: `call_${id}`, taskId: id, label: id, result: promise });
  return async (content: string) => {
    resolve(result(id, content));
    await promise;
  };
}

const read: string[] = [];
const engine = {
  backgroundResult: async (id: string) => {
    read.push(id);
    return undefined;
  },
};
const texts = (input: unknown[] | undefined) =>
  (input ?? []).map((item) => {
    const i = item as { id?: string; content?: { text: string }[] };
    return i.id ?? i.content?.[0]?.text.replace(/<usage>.*$/, '');
  });

describe('BackgroundNotices (a conversation’s <task-notification> messages)', () => {
  it('delivers a finished task once, then puts it back after the item it followed, by id or by content', async () => {
    const notices = new BackgroundNotices(engine);
    const finish = finishedTask(notices, 't1', 'a1');
    expect(notices.pending('t1')).toBe(true);
    expect(notices.prepare('t1', [{ id: 'u1' }])).toBeUndefined();
    await finish('found it');
    const noId = { type: 'function_call_output', call_id: 'c', output: 'x' };
    const first = notices.prepare('t1', [{ id: 'u1' }, noId]);
    expect(texts(first)).toEqual([
      'u1',
      undefined,
      '<task-notification><task-id>a1</task-id><tool-use-id>call_a1</tool-use-id><status>completed</status><summary>Agent "look around" finished</summary><result>found it</result>',
    ]);
    expect(read).toEqual(['a1']);
    expect(notices.pending('t1')).toBe(false);
    // Later requests: in the same place (after the item without an id, matched by its JSON), once.
    const later = notices.prepare('t1', [{ id: 'u1' }, { ...noId }, { id: 'm2' }, { ...noId }]);
    expect(texts(later).map((t) => t?.slice(0, 19))).toEqual([
      'u1',
      undefined,
      '<task-notification>',
      'm2',
      undefined,
    ]);
    // A history without that item (compacted) has no place for it.
    expect(notices.prepare('t1', [{ id: 'other' }])).toBeUndefined();
    // Other conversations never see it.
    expect(notices.prepare('t2', [{ id: 'u1' }, noId])).toBeUndefined();
  });

  it('waits for the next task of a conversation to finish, or the deadline, or the signal', async () => {
    const notices = new BackgroundNotices(engine);
    const far = Date.now() + 60_000;
    expect(await notices.nextFinished('none', far, new AbortController().signal)).toBe('finished');
    const finish = finishedTask(notices, 't3', 'b1');
    expect(notices.running('t3')).toMatchObject([{ callId: 'call_b1', label: 'b1' }]);
    expect(await notices.nextFinished('t3', Date.now(), new AbortController().signal)).toBe('timeout');
    const abort = new AbortController();
    const aborted = notices.nextFinished('t3', far, abort.signal);
    abort.abort();
    expect(await aborted).toBe('aborted');
    const waiting = notices.nextFinished('t3', far, new AbortController().signal);
    await finish('done');
    expect(await waiting).toBe('finished');
    expect(notices.running('t3')).toEqual([]);
  });
});
