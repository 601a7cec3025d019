import { describe, expect, it } from 'vitest';
import { type BatchSnapshot, batchFrame, type TaskRow } from './batch-frame.ts';
import { plain } from './lines.ts';
import { runFrame } from './run-frame.ts';

const row = (i: number, state: TaskRow['state'], extra: Partial<TaskRow> = {}): TaskRow => ({
  agent: 'reviewer',
  description: `review part ${i}`,
  state,
  turn: 1,
  tokens: 100,
  costUsd: 0.001,
  ...(state === 'queued' ? {} : { model: 'openai:gpt-5.5', startedAt: 0 }),
  ...extra,
});

function snapshot(running: number, finished: number, queued: number): BatchSnapshot {
  const done = Array.from({ length: finished }, (_, i) => row(i + 1, 'completed', { runMs: 2600 }));
  const rows = [
    ...done,
    ...Array.from({ length: running }, (_, i) => row(finished + i + 1, 'running', { tool: 'Read' })),
    ...Array.from({ length: queued }, (_, i) => row(finished + running + i + 1, 'queued')),
  ];
  return { rows, finished: done, startedAt: 0, now: 5300 };
}

describe('batchFrame', () => {
  it('never draws more lines than the terminal has rows minus one, whatever the batch', () => {
    for (const rows of [3, 5, 10, 30, 60])
      for (const [running, finished, queued] of [
        [0, 0, 60],
        [40, 0, 20],
        [10, 30, 20],
        [0, 60, 0],
        [3, 2, 0],
      ] as const) {
        const lines = batchFrame(snapshot(running, finished, queued), { columns: 100, rows });
        expect(lines.length, `${rows} rows, ${running}/${finished}/${queued}`).toBeLessThanOrEqual(rows - 1);
      }
  });

  it('shows the header, the latest finished, the running, and counts for what does not fit', () => {
    const lines = batchFrame(snapshot(40, 12, 8), { columns: 120, rows: 30 }).map(plain);
    expect(lines[0]).toBe('batch · 12 done · 40 running · 8 queued · 5.3s · 6.0k tok · $0.0600');
    expect(lines[1]).toMatch(/^ {2}agent +model +task +run {2}progress$/);
    // One finished row (the latest), then running rows up to the room left, then the counts.
    expect(lines[2]).toMatch(/^✓ reviewer +openai:gpt-5\.5 +review part 12 +2\.6s {2}100 tok · \$0\.0010$/);
    expect(lines.filter((l) => l.startsWith('▶'))).toHaveLength(29 - 3 - 1);
    expect(lines[3]).toMatch(
      /^▶ reviewer +openai:gpt-5\.5 +review part 13 +5\.3s {2}turn 1 · Read · 100 tok$/,
    );
    expect(lines.at(-1)).toBe('  … 15 more running · 11 more finished · 8 queued');
  });

  it('says which tasks failed and why, and that the cost is unknown once a price is', () => {
    const s = snapshot(0, 1, 0);
    const failed = row(2, 'failed', { runMs: 100, error: 'ProviderError: 400 bad request', costUsd: null });
    const lines = batchFrame(
      { ...s, rows: [...s.rows, failed], finished: [...s.finished, failed] },
      { columns: 120, rows: 30 },
    ).map(plain);
    expect(lines[0]).toBe('batch · 2 done (1 failed) · 0 running · 0 queued · 5.3s · 200 tok · cost n/a');
    expect(lines.at(-1)).toMatch(/^✗ reviewer .* 0\.1s {2}ProviderError: 400 bad request$/);
  });
});

describe('runFrame', () => {
  it('shows elapsed, turn, the tool running (or the wait for the model) and tokens', () => {
    const base = {
      agent: 'worker',
      model: 'openai:gpt-5.5',
      startedAt: 1000,
      turn: 2,
      tokens: 1234,
      now: 13_300,
    };
    expect(plain(runFrame({ ...base, tool: 'Bash' })[0]!)).toMatch(
      /^. worker · openai:gpt-5\.5 · 12\.3s · turn 2 · Bash · 1\.2k tok$/,
    );
    expect(plain(runFrame(base)[0]!)).toMatch(/· turn 2 · awaiting model · 1\.2k tok$/);
  });
});
