/** The benchmarks' helpers (see services.ts): cleanup on exit, the machine's load, CPU and memory, small utilities. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runKeys } from '../test/helpers/processes';

export { freePort, sleep } from '../test/helpers/processes';

// ---------------------------------------------------------------------------------------------
// Cleanup: run in reverse order at the end, on an error, or on SIGINT/SIGTERM

const cleanups: Array<() => Promise<void> | void> = [];
export const onCleanup = (f: () => Promise<void> | void) => void cleanups.push(f);
export async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (e) {
      console.error(`cleanup: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the services`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

/** Runs a benchmark's main, cleans up, and sets the exit code. */
export function runBench(main: () => Promise<void>): void {
  main()
    .then(cleanupAll, async (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exitCode = 1;
      await cleanupAll();
    })
    .finally(() => process.exit());
}

// ---------------------------------------------------------------------------------------------
// Machine

/** e.g. "load 3.21 2.80 1.95 (1/5/15 min) on 2 cores" */
export const loadLine = () =>
  `load ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (1/5/15 min) on ${os.cpus().length} cores`;

const CLK_TCK = 100; // Linux USER_HZ (getconf CLK_TCK)

/** CPU time (user + system) a process has used, in ms (/proc/<pid>/stat), or 0 when it is gone. */
export function cpuMsOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // the fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** CPU time of every process whose command is `comm` (e.g. all PostgreSQL backends), in ms. */
export function cpuMsOfCommand(comm: string): number {
  let total = 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) total += cpuMsOf(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Busy and total CPU time of the whole machine, in ms (/proc/stat): busy / total is how loaded it was. */
export function machineCpuMs(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: ((total - idle) * 1000) / CLK_TCK, total: (total * 1000) / CLK_TCK };
}

/** Resident memory of a process in MiB (/proc/<pid>/status VmRSS), or null when it is gone. */
export function rssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Random keys for this run only (payload encryption and start signatures), for the bench and its worker. */
export const benchKeysEnv = (): Record<string, string> => runKeys('bench');

/** A temp dir removed at the end. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `f` over `items` with at most `n` at once. */
export async function pool<T>(items: T[], n: number, f: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await f(items[i]!, i);
      }
    }),
  );
}

/** p50/p95/p99/max of sorted ms, as text. */
export function stats(sorted: number[]): string {
  if (!sorted.length) return 'no samples';
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil((q / 100) * sorted.length) - 1)]!;
  const f = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
  return `p50 ${f(p(50))}  p95 ${f(p(95))}  p99 ${f(p(99))}  max ${f(sorted[sorted.length - 1]!)}  (n=${sorted.length})`;
}
