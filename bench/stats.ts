/**
 * The benches' statistics, one definition for all of them. Percentiles are nearest-rank on the
 * sorted values: index ⌊p/100 · n⌋ (capped at n − 1), so a p50 of an even count is the upper of the
 * two middle values. `median` is that p50. Inputs are not modified; no values give 0.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Runs `measure` `times` times, one after the other, and returns every result. */
export async function repeat<T>(times: number, measure: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < times; i++) results.push(await measure(i));
  return results;
}

/** Now on a clock every process on this machine shares (ms since the epoch, sub-millisecond). */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}
