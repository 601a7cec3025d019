import { describe, expect, it } from 'vitest';
import { parseCallMeta } from './call-meta.ts';

describe('parseCallMeta', () => {
  it("reads Codex 0.169's _meta: thread, call, progress token and the session's model", () => {
    expect(
      parseCallMeta({
        progressToken: 1,
        callId: 'call_1',
        threadId: '01a2',
        sessionId: '01a2',
        'x-codex-turn-metadata': { thread_id: '01a2', model: 'gpt-5.5', turn_id: 't' },
      }),
    ).toEqual({ threadId: '01a2', callId: 'call_1', model: 'gpt-5.5', progressToken: 1 });
  });

  it('drops fields of the wrong shape instead of refusing the call', () => {
    expect(
      parseCallMeta({ threadId: 42, callId: '', 'x-codex-turn-metadata': 'nope', progressToken: 'p' }),
    ).toEqual({
      progressToken: 'p',
    });
    expect(parseCallMeta(undefined)).toEqual({});
    expect(parseCallMeta({ 'x-codex-turn-metadata': { thread_id: 'from-turn' } })).toEqual({
      threadId: 'from-turn',
    });
  });
});
