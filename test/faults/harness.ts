/**
 * The fault suite's real pieces (issue 15, part 4): a throw-away PostgreSQL cluster (initdb +
 * pg_ctl on a free port, as the `postgres` user when run as root), the Temporal dev server as a
 * child process with its state in a file (so a `kill -9` and a restart keep every workflow), the
 * app's worker and web processes (server/worker.ts, server/web.ts through tsx, each in its own
 * process group so a SIGKILL reaches tsx's node child), and two receivers: an SMTP server
 * (smtp-server) and an HTTP webhook standing in for the WeCom/DingTalk robot. The receivers count
 * every message by its idempotency key: the Message-ID of an e-mail, the Idempotency-Key header
 * (and `[#key]` line) of a robot message.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { SMTPServer } from 'smtp-server';
import { temporalBinaries } from '../../server/temporal-binaries';
import { ALL_SEARCH_ATTRIBUTES } from '../../contracts/search-attributes';

export const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    let ok: boolean;
    try {
      ok = await check();
    } catch {
      ok = false; // e.g. the database is down: keep waiting
    }
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A milliseconds setting from the environment: a positive integer, else a clear error. */
export function msFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive whole number of milliseconds, not "${raw}"`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a throw-away cluster of its own, so the test may stop it

export interface PgCluster {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function pgBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
    : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0])
    throw new Error(
      `the fault suite needs PostgreSQL's server binaries (initdb, pg_ctl) under ${base}/*/bin: install the postgresql package`,
    );
  return path.join(base, versions[0], 'bin');
}

/** initdb + pg_ctl start on a free port; as `postgres` when this process runs as root (initdb refuses root). */
export async function startPgCluster(): Promise<PgCluster> {
  const bin = pgBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-faults-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await run('chown', ['-R', 'postgres:postgres', dir]);
  const pg = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]) : run(path.join(bin, cmd), args);
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = async () =>
    void (await pg('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']));
  // fast: every session is ended at once, as when the server is stopped for maintenance or crashes
  const stop = async () => void (await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']));
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    async destroy() {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Processes

export interface Proc {
  name: string;
  proc: ChildProcess;
  output(): string;
  killed: boolean;
}

const procs: Proc[] = [];

export function spawnProc(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const proc = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const p: Proc = { name, proc, output: () => out, killed: false };
  procs.push(p);
  const keep = (b: Buffer) => void (out = (out + b.toString()).slice(-8000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  proc.once('exit', (code, signal) => {
    if (!p.killed) console.error(`[${name}] exited on its own (${code ?? signal}):\n${out}`);
  });
  return p;
}

export const alive = (p: Proc) => p.proc.exitCode === null && p.proc.signalCode === null;

/** kill -9 of the process group; resolves once it is gone. */
export function killHard(p: Proc): Promise<void> {
  p.killed = true;
  if (!alive(p)) return Promise.resolve();
  return new Promise((resolve) => {
    p.proc.once('exit', () => resolve());
    try {
      process.kill(-p.proc.pid!, 'SIGKILL');
    } catch {
      resolve();
    }
  });
}

export async function killAll(): Promise<void> {
  await Promise.all(procs.map((p) => killHard(p)));
}

/** A tsx process of server/<script>, ready once its output contains `ready`. */
export async function startApp(
  name: string,
  script: 'worker.ts' | 'web.ts',
  ready: string,
  env: NodeJS.ProcessEnv,
): Promise<Proc> {
  const p = spawnProc(name, path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'server', script)], env);
  await until(
    `${name} to start (${ready})`,
    () => {
      if (!alive(p)) throw new Error(`${name} exited:\n${p.output()}`);
      return p.output().includes(ready);
    },
    180_000,
    100,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${p.output()}`);
  });
  return p;
}

// ---------------------------------------------------------------------------------------------
// The Temporal dev server, with its state in a file

const SA_TYPES: Record<string, string> = {
  KEYWORD: 'Keyword',
  INT: 'Int',
  TEXT: 'Text',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  DOUBLE: 'Double',
  KEYWORD_LIST: 'KeywordList',
};

export interface TemporalServer {
  address: string;
  proc(): Proc;
  /** kill -9 */
  kill(): Promise<void>;
  /** starts it again on the same port and file; resolves when it answers */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startTemporal(): Promise<TemporalServer> {
  const bin = temporalBinaries().temporal;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-faults-temporal-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--headless',
    '--db-filename',
    path.join(dir, 'temporal.sqlite'),
    '--log-level',
    'error',
  ];
  for (const k of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${k.name}=${SA_TYPES[k.type] ?? k.type}`);
  let current: Proc | undefined;
  let n = 0;
  const start = async () => {
    current = spawnProc(`temporal-${++n}`, bin, args, process.env);
    const p = current;
    await until(
      'the Temporal dev server to answer',
      async () => {
        if (!alive(p)) throw new Error(`the Temporal dev server exited:\n${p.output()}`);
        const c = await Connection.connect({ address, connectTimeout: '1s' });
        try {
          await c.workflowService.getSystemInfo({});
        } finally {
          await c.close();
        }
        return true;
      },
      90_000,
      200,
    );
  };
  await start();
  return {
    address,
    proc: () => current!,
    kill: () => killHard(current!),
    start,
    async destroy() {
      if (current) await killHard(current);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The receivers

export interface Receipt {
  key: string;
  at: number;
}

export interface Receivers {
  smtpUrl: string;
  webhookUrl: string;
  /** every accepted e-mail, by Message-ID, in order */
  mails: Receipt[];
  /** every accepted robot message, by Idempotency-Key, in order */
  posts: Receipt[];
  /** robot messages whose body had no `[#key]` line matching the header */
  badPosts: string[];
  /** SMTP sessions in the DATA phase, not yet answered */
  smtpInFlight(): number;
  smtpDown(): Promise<void>;
  smtpUp(): Promise<void>;
  close(): Promise<void>;
}

/** What SMTP says `Message-ID:` is, headers unfolded. */
function messageIdOf(raw: string): string {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return /^message-id:\s*(\S+)\s*$/im.exec(head)?.[1] ?? '';
}

export async function startReceivers(opts: { smtpDelayMs: number }): Promise<Receivers> {
  const mails: Receipt[] = [];
  const posts: Receipt[] = [];
  const badPosts: string[] = [];
  let inFlight = 0;
  const smtpPort = await freePort();
  let smtp: SMTPServer | undefined;

  const listenSmtp = async () => {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      disableReverseLookup: true,
      onData(stream, _session, callback) {
        inFlight++;
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          // a receiver that takes a moment to accept: a kill can land while a send is in flight
          setTimeout(() => {
            inFlight--;
            mails.push({ key: messageIdOf(Buffer.concat(chunks).toString('utf8')), at: Date.now() });
            callback();
          }, opts.smtpDelayMs);
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(smtpPort, '127.0.0.1', () => resolve());
    });
    smtp = server;
  };
  await listenSmtp();

  const webhook = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '');
      let content: string;
      try {
        content = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: { content: string } }).text.content;
      } catch {
        content = '';
      }
      if (!key || !content.endsWith(`[#${key}]`)) badPosts.push(`header "${key}", body ending "${content.slice(-40)}"`);
      posts.push({ key, at: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  const webhookPort = await new Promise<number>((resolve) =>
    webhook.listen(0, '127.0.0.1', () => resolve((webhook.address() as net.AddressInfo).port)),
  );

  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    webhookUrl: `http://127.0.0.1:${webhookPort}/cgi-bin/webhook/send?key=faults-robot`,
    mails,
    posts,
    badPosts,
    smtpInFlight: () => inFlight,
    async smtpDown() {
      const s = smtp;
      smtp = undefined;
      // stops accepting at once (connections are refused); sessions in flight finish
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async smtpUp() {
      if (!smtp) await listenSmtp();
    },
    async close() {
      const s = smtp;
      smtp = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
      await new Promise<void>((resolve) => webhook.close(() => resolve()));
    },
  };
}

/** How many times each key was received. */
export function countByKey(receipts: Receipt[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of receipts) m.set(r.key, (m.get(r.key) ?? 0) + 1);
  return m;
}

/** The first receipt of each key. */
export function firstAt(receipts: Receipt[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of receipts) if (!m.has(r.key)) m.set(r.key, r.at);
  return m;
}
