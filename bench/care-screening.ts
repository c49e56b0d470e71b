/** bench/care.ts, part 1 (see care.ts): the screening import, timed with its memory. */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createStore } from '../db/store';
import { importWarnings } from '../server/features/screening/use-cases';
import { ADMIN, rowCounts } from './care-args';
import { count, encodings, screeningCsv, withFreshDb, type Backend } from './care-data';

/** gc(), when V8 lets us turn it on at run time; otherwise a no-op (deltas then include old garbage). */
export const exposedGc: (() => void) | undefined = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();
const gc = () => exposedGc?.();

// ---------------------------------------------------------------------------------------------
// 1. Screening import

const mib = (bytes: number) => `${bytes >= 0 ? '+' : ''}${(bytes / 1048576).toFixed(1)} MiB`;

interface Measured<T> {
  result: T;
  ms: number;
  rssDelta: number;
  heapDelta: number;
  heapPeakDelta: number;
  rssPeakDelta: number;
}

/** Runs `fn` once, timing it and sampling rss/heapUsed every 10 ms (after a gc, when available). */
async function measured<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  gc();
  const before = process.memoryUsage();
  let heapPeak = before.heapUsed;
  let rssPeak = before.rss;
  const sample = () => {
    const m = process.memoryUsage();
    heapPeak = Math.max(heapPeak, m.heapUsed);
    rssPeak = Math.max(rssPeak, m.rss);
  };
  const timer = setInterval(sample, 10);
  const t0 = performance.now();
  try {
    const result = await fn();
    const ms = performance.now() - t0;
    sample();
    const after = process.memoryUsage();
    return {
      result,
      ms,
      rssDelta: after.rss - before.rss,
      heapDelta: after.heapUsed - before.heapUsed,
      heapPeakDelta: heapPeak - before.heapUsed,
      rssPeakDelta: rssPeak - before.rss,
    };
  } finally {
    clearInterval(timer);
  }
}

export async function benchScreening(backend: Backend): Promise<void> {
  for (const n of rowCounts) {
    const { text, red } = screeningCsv(n);
    for (const { name, bytes } of encodings(text)) {
      await withFreshDb(backend, async (db) => {
        const deps = { knex: db, store: createStore(db), taskQueue: 'bench', now: Date.now() };
        const fileName = `screening-${n}-${name}.csv`;
        const first = await measured(() => importWarnings(deps, ADMIN, bytes, fileName));
        if (first.result.duplicate || first.result.warnings !== n)
          throw new Error(`first import of ${fileName}: ${JSON.stringify(first.result)}`);
        const again = await measured(() => importWarnings(deps, ADMIN, bytes, fileName));
        if (!again.result.duplicate || again.result.warnings !== n)
          throw new Error(`second import of ${fileName}: ${JSON.stringify(again.result)}`);
        const [students, warnings] = [await count(db, 'students'), await count(db, 'screening_warnings')];
        const line = (label: string, m: Measured<unknown>) =>
          `  ${String(n).padStart(6)} rows ${name.padEnd(8)} ${label.padEnd(9)} ${m.ms.toFixed(0).padStart(7)} ms ${Math.round(
            n / (m.ms / 1000),
          )
            .toLocaleString('en-US')
            .padStart(10)} rows/s` +
          `   rss ${mib(m.rssDelta).padStart(10)} (peak ${mib(m.rssPeakDelta)})   heapUsed ${mib(m.heapDelta).padStart(10)} (peak ${mib(m.heapPeakDelta)})`;
        console.log(line('first', first));
        console.log(line('duplicate', again));
        console.log(
          `  ${''.padStart(6)}      ${''.padEnd(8)} file ${(bytes.length / 1024).toFixed(0)} KiB, ${red} red / ${n - red} orange; wrote ${students} students, ${warnings} warnings`,
        );
      });
    }
  }
}
