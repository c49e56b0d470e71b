/**
 * Worker tuning, one setting at a time (issue 11):
 *
 *   npm run bench:tuning -- [--bench completion|escalation] [--settings "VAR=value[,VAR=value];…"]
 *                           [--bench-args "…"]
 *
 * Runs the chosen benchmark (bench/completion.ts or bench/escalation.ts, with its own Temporal dev
 * server, read model and worker process) once with the defaults, once per setting with only that
 * setting's WORKER_* variables changed, and once more with the defaults at the end, so the two
 * default runs show the noise of this machine. Prints each run's figures beside the defaults'
 * and one RESULT line: `<label>_<key>=value` for each run and key (`default`, `default_again`,
 * and a label per setting such as `threads_2`). Each setting is checked by the worker's own
 * configuration first, so a bad one fails at once with the variable's name.
 *
 * The default settings vary each tunable once: workflow threads, cache size, workflow task,
 * activity and local activity slots, workflow pollers, activities per second and workflow stack
 * traces. Asserts nothing.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../server/platform/config/config';
import { describeWorkerTuning } from '../server/worker-tuning';
import { benchArgs, load1 } from './lib';
import { loadLine } from './services';

const BENCHES = {
  completion: {
    args: '--concurrency 1,20 --model ladder --requests 60 --warmup 10',
    keys: ['p95_ms_c1', 'p95_ms_c20', 'per_s_c20', 'cpu_ms_per_completion_c20'],
  },
  escalation: {
    args: '--tasks 1000 --model ladder --spread-minutes 0.5 --max-wait-minutes 1 --lead-seconds 30',
    keys: ['model_p99_ms', 'spread_p99_ms', 'missing', 'worker_rss_mb'],
  },
} as const;
type Bench = keyof typeof BENCHES;

const DEFAULT_SETTINGS = [
  'WORKER_WORKFLOW_THREADS=2',
  'WORKER_MAX_CACHED_WORKFLOWS=100',
  'WORKER_WORKFLOW_TASK_SLOTS=10',
  'WORKER_ACTIVITY_TASK_SLOTS=10',
  'WORKER_LOCAL_ACTIVITY_SLOTS=4',
  'WORKER_WORKFLOW_POLLERS=20',
  'WORKER_MAX_ACTIVITIES_PER_SECOND=50',
  'WORKER_WORKFLOW_STACK_TRACES=off',
].join(';');

const USAGE =
  'npm run bench:tuning -- [--bench completion|escalation] [--settings "VAR=value[,VAR=value];…"] [--bench-args "…"]';
const args = benchArgs(
  USAGE,
  { bench: 'completion', settings: DEFAULT_SETTINGS, 'bench-args': '' },
  (a) => a.bench in BENCHES,
);
const bench = args.bench as Bench;

/** One setting: its variables, checked by the worker's configuration; its label for the RESULT keys. */
function parseSetting(text: string): { label: string; env: Record<string, string> } {
  const env: Record<string, string> = {};
  for (const pair of text.split(',').map((s) => s.trim())) {
    const m = /^(WORKER_[A-Z_]+)=(\S+)$/.exec(pair);
    if (!m) throw new Error(`--settings: "${pair}" is not WORKER_NAME=value`);
    env[m[1]!] = m[2]!;
  }
  try {
    loadConfig({ ...process.env, ...env });
  } catch (e) {
    throw new Error(`--settings "${text}": ${e instanceof ConfigError ? e.message : String(e)}`, { cause: e });
  }
  const label = Object.entries(env)
    .map(([k, v]) => `${k.replace(/^WORKER_(MAX_)?/, '').toLowerCase()}_${v.toLowerCase()}`)
    .join('_')
    .replace(/[^a-z0-9_]/g, '_');
  return { label, env };
}

/** Runs the benchmark with `env` added; its RESULT line as a map. */
function runBench(env: Record<string, string>): Promise<Map<string, string>> {
  const script = path.join(__dirname, `${bench}.ts`);
  const extra = (args['bench-args'] || BENCHES[bench].args).split(' ').filter(Boolean);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...extra], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of d.toString().split('\n')) if (line.trim()) console.log(`    | ${line}`);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) return reject(new Error(`bench:${bench} exited ${code} without a RESULT line`));
      resolve(
        new Map(
          line
            .slice('RESULT '.length)
            .split(' ')
            .map((kv) => kv.split('=', 2) as [string, string]),
        ),
      );
    });
  });
}

async function main(): Promise<void> {
  const settings = args.settings
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseSetting);
  const runs = [{ label: 'default', env: {} }, ...settings, { label: 'default_again', env: {} }];
  console.log(
    `tuning: bench:${bench}, ${runs.length} runs (the defaults first and last); defaults: ${describeWorkerTuning(loadConfig({}))}; ${loadLine()}`,
  );
  const results: Array<{ label: string; env: Record<string, string>; result: Map<string, string> }> = [];
  for (const run of runs) {
    console.log(
      `\n${run.label}: ${
        Object.entries(run.env)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || 'the defaults'
      }`,
    );
    results.push({ ...run, result: await runBench(run.env) });
  }

  const keys = BENCHES[bench].keys;
  const base = results[0]!.result;
  console.log(`\n${'setting'.padEnd(34)}${keys.map((k) => k.padStart(28)).join('')}${'load1'.padStart(8)}`);
  for (const r of results) {
    const cells = keys.map((k) => {
      const v = Number(r.result.get(k));
      const b = Number(base.get(k));
      const delta =
        r === results[0] || !Number.isFinite(v) || !b
          ? ''
          : ` (${v >= b ? '+' : ''}${Math.round(((v - b) / b) * 100)}%)`;
      return `${r.result.get(k) ?? '-'}${delta}`.padStart(28);
    });
    console.log(`${r.label.padEnd(34)}${cells.join('')}${(r.result.get('load1') ?? '-').padStart(8)}`);
  }
  const pairs = results.flatMap((r) => keys.map((k) => `${r.label}_${k}=${r.result.get(k) ?? 'NA'}`));
  console.log(`RESULT bench=${bench} runs=${results.length} ${pairs.join(' ')} load1=${load1()}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
