/** Helpers shared by the benchmarks: timing loops, percentiles, CPU time, tables. */

/** Run `fn` for about `ms` milliseconds (after a warm-up) and return operations per second. */
export function opsPerSecond(fn: () => void, ms = 300): number {
  for (let i = 0; i < 1000; i++) fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 100; i++) fn();
    ops += 100;
    elapsed = process.hrtime.bigint() - start;
  }
  return (ops * 1e9) / Number(elapsed);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** CPU time (user + system, ms) this process spends in `fn`. */
export async function cpuTime<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; cpuMs: number; wallMs: number }> {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const result = await fn();
  const used = process.cpuUsage(cpu);
  return { result, cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall };
}

/** A markdown table from rows of cells. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (v: string | number) => (typeof v === 'number' ? format(v) : v);
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

export function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

/** One benchmark file: `bench/<name>.bench.ts` exporting `title` and `run`. */
export interface BenchModule {
  readonly title: string;
  /** Returns markdown (tables and a line of interpretation) for docs/benchmarks.md. */
  run(): Promise<string>;
}
