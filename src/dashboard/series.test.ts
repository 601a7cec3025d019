import { describe, expect, it } from 'vitest';
import type { TimelineRow } from '../store/index.ts';
import { bucketFor, buildSeries, percentile } from './series.ts';

const MIN = 60_000;
const row = (extra: Partial<TimelineRow>): TimelineRow => ({
  queuedAt: 0,
  status: 'completed',
  agentType: 'worker',
  tokens: 0,
  costUsd: null,
  ...extra,
});

describe('plot series', () => {
  it('widens buckets with the range, to at most 120 points', () => {
    expect(bucketFor(60 * MIN)).toBe(MIN);
    expect(bucketFor(120 * MIN)).toBe(MIN);
    expect(bucketFor(121 * MIN)).toBe(5 * MIN);
    expect(bucketFor(7 * 24 * 60 * MIN)).toBe(6 * 60 * MIN);
    expect(bucketFor(1000 * 24 * 60 * MIN)).toBe(24 * 60 * MIN);
  });

  it('takes the nearest-rank percentile, null for no values', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([10], 95)).toBe(10);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
  });

  it('counts a task in the bucket it ended in (queued in, while live), per minute, by state', () => {
    const now = 10 * MIN;
    const ended = [
      row({ queuedAt: 1 * MIN, finishedAt: 2 * MIN + 5, durationMs: 100, tokens: 10, costUsd: 0.5 }),
      row({ queuedAt: 1 * MIN, finishedAt: 2 * MIN + 9, durationMs: 300, tokens: 20, model: 'm' }),
    ];
    const live = row({ queuedAt: 9 * MIN, status: 'running', agentType: 'lead' });
    const before = row({ queuedAt: 0, finishedAt: -5 * MIN, status: 'failed' });
    const series = buildSeries([...ended, live, before], now, 5 * MIN);
    expect(series.x).toEqual([5, 6, 7, 8, 9, 10].map((m) => (m * MIN) / 1000));
    expect(series.perMinute.completed).toBeUndefined(); // ended before the range
    expect(series.perMinute.failed).toBeUndefined();
    expect(series.perMinute.running?.[series.x.indexOf((9 * MIN) / 1000)]).toBe(1);

    const wide = buildSeries(ended, now, 600 * MIN); // 5-minute buckets: two tasks in one, 0.4 a minute
    const at = wide.x.indexOf(0);
    expect(wide.bucketMs).toBe(5 * MIN);
    expect(wide.perMinute.completed?.[at]).toBeCloseTo(0.4);
    expect(wide.p50Ms[at]).toBe(100);
    expect(wide.p95Ms[at]).toBe(300);
    expect(wide.p50Ms[at + 1]).toBeNull();
    expect(wide.tokens[at]).toBe(30);
    expect(wide.costUsd[at]).toBe(0.5);
    expect(wide.models.map((g) => g.key)).toEqual(['(none)', 'm']);
  });

  it('keeps the five most used agents apart and sums the rest as `other`', () => {
    const rows = ['a', 'a', 'b', 'c', 'd', 'e', 'f', 'g'].map((agentType, n) =>
      row({
        agentType,
        queuedAt: n,
        finishedAt: n + 1,
        tokens: 1,
        status: n === 0 ? 'timed_out' : 'completed',
      }),
    );
    const series = buildSeries(rows, MIN, MIN);
    expect(Object.keys(series.tokensByAgent).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'other']);
    expect(series.tokensByAgent.other!.reduce((x, y) => x + y, 0)).toBe(2);
    expect(series.agents[0]).toMatchObject({ key: 'a', tasks: 2, failed: 1, tokens: 2, costUsd: 0 });
  });
});
