import type { RecordStatus, TimelineRow } from '../store/index.ts';

/** The plots' data, column-wise as uPlot takes it: `x` in epoch seconds, one array per series. */
export interface Series {
  bucketMs: number;
  x: number[];
  /** Tasks ended (or, while live, queued) per minute, by state. */
  perMinute: Partial<Record<RecordStatus, number[]>>;
  /** Duration of the tasks that ended in each bucket; null where none did. */
  p50Ms: (number | null)[];
  p95Ms: (number | null)[];
  tokens: number[];
  costUsd: number[];
  /** Tokens per bucket of the most used agents and models (the rest summed as `other`). */
  tokensByAgent: Record<string, number[]>;
  tokensByModel: Record<string, number[]>;
  /** Totals over the range, most tasks first. */
  agents: GroupTotals[];
  models: GroupTotals[];
}

export interface GroupTotals {
  key: string;
  tasks: number;
  failed: number;
  tokens: number;
  costUsd: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

const BUCKETS_MS = [60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000];
const MAX_BUCKETS = 120;
const TOP = 5;
const FAILED: readonly RecordStatus[] = ['failed', 'timed_out', 'interrupted'];

/** Buckets of a minute, or wider for long ranges (at most 120 points a series). */
export function bucketFor(rangeMs: number): number {
  return BUCKETS_MS.find((b) => rangeMs / b <= MAX_BUCKETS) ?? BUCKETS_MS.at(-1)!;
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Plots over `[now - rangeMs, now]`; a task counts in the bucket it ended in (queued in, while live). */
export function buildSeries(rows: readonly TimelineRow[], now: number, rangeMs: number): Series {
  const bucketMs = bucketFor(rangeMs);
  const start = Math.floor((now - rangeMs) / bucketMs) * bucketMs;
  const n = Math.floor((now - start) / bucketMs) + 1;
  const zeros = () => Array<number>(n).fill(0);
  const x = Array.from({ length: n }, (_, i) => (start + i * bucketMs) / 1000);
  const counts: Partial<Record<RecordStatus, number[]>> = {};
  const durations: number[][] = Array.from({ length: n }, () => []);
  const tokens = zeros();
  const costUsd = zeros();
  const agentTotals = new Map<string, { row: TimelineRow[] }>();
  const modelTotals = new Map<string, { row: TimelineRow[] }>();
  const index = (row: TimelineRow) => Math.floor(((row.finishedAt ?? row.queuedAt) - start) / bucketMs);
  for (const row of rows) {
    const i = index(row);
    if (i < 0 || i >= n) continue;
    const byState = counts[row.status] ?? zeros();
    counts[row.status] = byState;
    byState[i]! += 1;
    if (row.durationMs !== undefined && row.finishedAt !== undefined) durations[i]!.push(row.durationMs);
    tokens[i]! += row.tokens;
    costUsd[i]! += row.costUsd ?? 0;
    group(agentTotals, row.agentType, row);
    group(modelTotals, row.model ?? '(none)', row);
  }
  const perMinute = Object.fromEntries(
    Object.entries(counts).map(([status, values]) => [status, values.map((v) => (v * 60_000) / bucketMs)]),
  );
  const sortedDurations = durations.map((d) => d.sort((a, b) => a - b));
  const agents = totals(agentTotals);
  const models = totals(modelTotals);
  return {
    bucketMs,
    x,
    perMinute,
    p50Ms: sortedDurations.map((d) => percentile(d, 50)),
    p95Ms: sortedDurations.map((d) => percentile(d, 95)),
    tokens,
    costUsd,
    tokensByAgent: tokensBy(agentTotals, agents, index, zeros),
    tokensByModel: tokensBy(modelTotals, models, index, zeros),
    agents,
    models,
  };
}

function group(map: Map<string, { row: TimelineRow[] }>, key: string, row: TimelineRow) {
  const entry = map.get(key);
  if (entry) entry.row.push(row);
  else map.set(key, { row: [row] });
}

function totals(map: Map<string, { row: TimelineRow[] }>): GroupTotals[] {
  return [...map]
    .map(([key, { row }]) => {
      const durations = row
        .flatMap((r) => (r.durationMs !== undefined && r.finishedAt !== undefined ? [r.durationMs] : []))
        .sort((a, b) => a - b);
      return {
        key,
        tasks: row.length,
        failed: row.filter((r) => FAILED.includes(r.status)).length,
        tokens: row.reduce((sum, r) => sum + r.tokens, 0),
        costUsd: row.reduce((sum, r) => sum + (r.costUsd ?? 0), 0),
        p50Ms: percentile(durations, 50),
        p95Ms: percentile(durations, 95),
      };
    })
    .sort((a, b) => b.tasks - a.tasks || a.key.localeCompare(b.key));
}

function tokensBy(
  map: Map<string, { row: TimelineRow[] }>,
  ranked: GroupTotals[],
  index: (row: TimelineRow) => number,
  zeros: () => number[],
): Record<string, number[]> {
  const top = new Set(ranked.slice(0, TOP).map((g) => g.key));
  const out: Record<string, number[]> = {};
  for (const [key, { row }] of map) {
    const name = top.has(key) ? key : 'other';
    const values = out[name] ?? zeros();
    out[name] = values;
    for (const r of row) values[index(r)]! += r.tokens;
  }
  return out;
}
