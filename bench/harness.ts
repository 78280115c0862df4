import { median } from '../src/util/median.js';

/** A benchmark: a name, and a function returning one timed operation to repeat. */
export interface Bench {
  name: string;
  /** Prepares inputs once and returns the operation to time. */
  setup: () => Promise<() => unknown> | (() => unknown);
  /** Repetitions after one warm-up run (default 7). */
  reps?: number;
}

/** One row of results. */
export interface BenchResult {
  name: string;
  medianMs: number;
  minMs: number;
  reps: number;
}

/** Runs one benchmark: a warm-up, then `reps` timed runs; returns the median and minimum. */
export async function runBench(b: Bench): Promise<BenchResult> {
  const op = await b.setup();
  await op();
  const reps = b.reps ?? 7;
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await op();
    times.push(performance.now() - t0);
  }
  return { name: b.name, medianMs: median(times), minMs: Math.min(...times), reps };
}

/** Formats results as a fixed-width text table. */
export function formatTable(results: BenchResult[]): string {
  const rows = [['benchmark', 'median ms', 'min ms', 'reps'], ...results.map((r) => [r.name, r.medianMs.toFixed(2), r.minMs.toFixed(2), String(r.reps)])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const fmtRow = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [fmtRow(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(fmtRow)].join('\n');
}
