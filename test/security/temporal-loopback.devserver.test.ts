/**
 * Finding 3: the Temporal Web UI offers terminate, cancel, signal and reset to anyone who reaches
 * it, and so does the gRPC port. The dev start (temporal-dev.sh, run by `npm start`) must bind
 * both to loopback only. Starts the real script on free ports and reads the kernel's table of
 * listening sockets (/proc/net/tcp and tcp6): every socket on those ports is 127.0.0.1 or ::1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
let proc: ChildProcess | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-loopback-'));

afterAll(async () => {
  if (proc?.pid && proc.exitCode === null) {
    const exited = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** Local addresses (hex, as the kernel writes them) of the sockets listening on `port`. */
function listeners(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = LISTEN
      const [addr, hexPort] = cols[1]!.split(':');
      if (parseInt(hexPort!, 16) === port) out.push(addr!);
    }
  }
  return out;
}

const LOOPBACK = new Set(['0100007F', '00000000000000000000000001000000']); // 127.0.0.1, ::1

describe('the dev start binds Temporal to loopback (finding 3)', () => {
  test('When temporal-dev.sh runs with its defaults, then the gRPC port and the Web UI listen on loopback only', async () => {
    const [port, uiPort] = [await freePort(), await freePort()];
    proc = spawn('bash', [path.join(ROOT, 'temporal-dev.sh')], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_PORT: String(port),
        TEMPORAL_UI_PORT: String(uiPort),
        TEMPORAL_DB_FILE: path.join(dir, 'temporal.sqlite'),
        TEMPORAL_IP: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`temporal-dev.sh did not come up:\n${output}`)), 90_000);
      const onData = (c: Buffer) => {
        output += c.toString();
        if (output.includes('Web UI at')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc!.stdout!.on('data', onData);
      proc!.stderr!.on('data', onData);
      proc!.once('exit', (code) => reject(new Error(`temporal-dev.sh exited (${code}):\n${output}`)));
    });
    expect(output).toContain(`Web UI at http://127.0.0.1:${uiPort}`);
    // the UI server may open its socket a moment after the gRPC health check answers
    for (let i = 0; i < 50 && listeners(uiPort).length === 0; i++) await new Promise((r) => setTimeout(r, 200));
    for (const p of [port, uiPort]) {
      const addrs = listeners(p);
      expect(addrs.length, `nothing listens on ${p}`).toBeGreaterThan(0);
      expect(
        addrs.filter((a) => !LOOPBACK.has(a)),
        `port ${p} listens beyond loopback`,
      ).toEqual([]);
    }
  }, 120_000);
});
