/**
 * The fault suite's real pieces (issue 15, part 4): a throw-away PostgreSQL cluster (initdb +
 * pg_ctl on a free port, as the `postgres` user when run as root), the Temporal dev server as a
 * child process with its state in a file (so a `kill -9` and a restart keep every workflow), the
 * app's worker and web processes (test/helpers/processes.ts: server/worker.ts, server/web.ts
 * through tsx, each in its own process group so a SIGKILL reaches tsx's node child), and two receivers: an SMTP server
 * (smtp-server) and an HTTP webhook standing in for the WeCom/DingTalk robot. The receivers count
 * every message by its idempotency key: the Message-ID of an e-mail, the Idempotency-Key header
 * (and `[#key]` line) of a robot message.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { temporalBinaries } from '../../server/temporal-binaries';
import {
  alive,
  devServerArgs,
  freePort,
  killHard,
  sleep,
  spawnProc,
  waitForTemporal,
  type Proc,
} from '../helpers/processes';

export { killAll, killHard, ROOT, sleep, startApp, type Proc } from '../helpers/processes';
const run = promisify(execFile);

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
// The Temporal dev server, with its state in a file

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
  const args = devServerArgs(port, path.join(dir, 'temporal.sqlite'));
  let current: Proc | undefined;
  let n = 0;
  const start = async () => {
    current = spawnProc(`temporal-${++n}`, bin, args, process.env);
    const p = current;
    await waitForTemporal(address, {
      ms: 90_000,
      everyMs: 200,
      exited: () => (alive(p) ? undefined : p.output()),
    });
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
