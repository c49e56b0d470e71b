/**
 * Finding 8, the small items, one test each: CSV cell and line caps (and parsing that yields to
 * the event loop), UTF-16 files, control characters in names, full-width formula characters in
 * exports, the calendar feed URL from PUBLIC_URL (not the Host header), SQLite read-then-write
 * transactions that take the write lock first, and the 404s of the OpenAPI file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKnex, migrateLatest, writeTransaction } from '../../db/knex';
import { parseCsvAsync } from '../../server/platform/csv';
import { loadConfig } from '../../server/platform/config/config';
import { login, webFixture, type Session, type WebFixture } from '../helpers/web';

const fakeClient = {
  workflow: {
    start: async (_wf: unknown, opts: { workflowId: string }) => ({ workflowId: opts.workflowId }),
    getHandle: () => ({ executeUpdate: async () => ({}) }),
  },
} as unknown as Client;

let fx: WebFixture;
let admin: Session;
let counsellor: Session;
beforeAll(async () => {
  fx = await webFixture({ client: fakeClient, publicUrl: 'https://duty.example.edu.cn' });
  admin = await login(fx.base, 'admin');
  counsellor = await login(fx.base, 'literature-counsellor');
});
afterAll(async () => {
  await fx?.close();
});

const json = (s: Session, url: string, method: string, body: unknown) =>
  s.fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;
const upload = (s: Session, url: string, bytes: Buffer, name = 'x.csv') => {
  const body = new FormData();
  body.append('file', new Blob([bytes], { type: 'text/csv' }), name);
  return s.fetch(url, { method: 'POST', body });
};

describe('CSV imports', () => {
  test('When a cell holds 9 MB, then the import is refused at once naming the line and the 2,000-character cap', async () => {
    const csv = Buffer.from(`学号,姓名,学院,预警等级\r\n2024000001,${'x'.repeat(9 * 1024 * 1024)},literature,红色\r\n`);
    const res = await upload(counsellor, '/api/screening/imports', csv);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe('nothing was imported:\n第 2 行: a cell is longer than 2000 characters');
    expect(await fx.knex('screening_warnings').count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  test('When a line is longer than 20,000 characters, then it is refused naming the line', async () => {
    const csv = Buffer.from(
      `username,displayName,role\r\nu1,${Array.from({ length: 30 }, () => 'y'.repeat(1000)).join(',')},counsellor\r\n`,
    );
    const res = await upload(admin, '/api/users/import', csv);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe('nothing was imported:\n第 2 行: a line is longer than 20000 characters');
  });

  test('When a large file is parsed, then the parser yields to the event loop between chunks of rows', async () => {
    const text = `a,b\n${'1,2\n'.repeat(20_000)}`;
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const records = await parseCsvAsync(text);
    running = false;
    expect(records.length).toBe(20_001);
    expect(ticks).toBeGreaterThan(5);
  });

  test('When the file is UTF-16 (with a BOM, or without one), then the import says the encoding is unsupported', async () => {
    const text = '学号,姓名,学院,预警等级\r\n2024000001,张三,literature,红色\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    for (const bytes of [le, be, Buffer.from(text, 'utf16le')]) {
      const res = await upload(counsellor, '/api/screening/imports', bytes);
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toBe(
        'nothing was imported:\nunsupported encoding: UTF-16; save the file as UTF-8 or GBK (不支持的编码：请将文件另存为 UTF-8 或 GBK)',
      );
    }
    const users = await upload(admin, '/api/users/import', le);
    expect(await errorOf(users)).toMatch(/unsupported encoding: UTF-16/);
  });
});

describe('control characters in names', () => {
  test('When a name holds NUL, a bell or a line break, then 400 names the field; multi-line notes keep their line breaks but refuse NUL', async () => {
    const user = await json(admin, '/api/users', 'POST', {
      username: 'nul-user',
      displayName: 'a\u0000b',
      role: 'counsellor',
      collegeId: 'literature',
      password: 'long-enough-pw',
    });
    expect(user.status).toBe(400);
    expect(await errorOf(user)).toBe('displayName: contains a control character (U+0000)');
    const rename = await json(admin, '/api/users/literature-counsellor', 'PATCH', { displayName: '王\u0085老师' });
    expect([rename.status, await errorOf(rename)]).toEqual([400, 'displayName: contains a control character (U+0085)']);

    const crisis = await json(counsellor, '/api/crises', 'POST', {
      studentNo: 'C0001',
      studentName: '张\u0007三',
      situation: 'injury',
      place: '宿舍',
    });
    expect([crisis.status, await errorOf(crisis)]).toEqual([
      400,
      'studentName (姓名): contains a control character (U+0007)',
    ]);
    const keyCare = await json(counsellor, '/api/colleges/literature/key-care', 'POST', {
      studentNo: 'C0002',
      studentName: '李\n四',
      reasons: ['x'],
    });
    expect([keyCare.status, await errorOf(keyCare)]).toEqual([400, 'studentName (姓名): contains a line break or tab']);
    const entry = { studentNo: 'C0003', studentName: '赵五', plan: 'p' };
    const ledgerEntry = (description: string) =>
      json(counsellor, '/api/colleges/literature/ledger', 'POST', { ...entry, description });
    const ledger = await ledgerEntry('第一行\u0000');
    expect([ledger.status, await errorOf(ledger)]).toEqual([
      400,
      'description (主要情况描述): contains a control character (U+0000)',
    ]);
    const fine = await ledgerEntry('第一行\r\n第二行\t缩进');
    expect(fine.status).toBe(201);
    expect(await fx.knex('students').whereIn('student_no', ['C0001', 'C0002']).count({ n: '*' }).first()).toEqual({
      n: 0,
    });

    const csv = Buffer.from('学号,姓名,学院,预警等级\r\n2024000009,孙\u0001六,literature,红色\r\n');
    const imp = await upload(counsellor, '/api/screening/imports', csv);
    expect([imp.status, await errorOf(imp)]).toEqual([
      400,
      'nothing was imported:\n第 2 行: 姓名/name contains a control character (U+0001)',
    ]);
    const users = Buffer.from('username,displayName,role,college\r\nctl-user,周\u001f七,counsellor,literature\r\n');
    const uimp = await upload(admin, '/api/users/import', users);
    expect([uimp.status, await errorOf(uimp)]).toEqual([
      400,
      'nothing was imported:\n第 2 行: displayName/姓名 contains a control character (U+001F)',
    ]);
  });
});

describe('formula injection in exports', () => {
  test('When a text starts with a full-width ＝ ＋ － ＠ (or = + - @ tab CR), then the CSV and the XLSX cell start with an apostrophe', async () => {
    const starts = [
      '＝HYPERLINK("http://evil.example")',
      '＋1',
      '－1',
      '＠SUM(A1)',
      '=1+1',
      '+1',
      '-1',
      '@A1',
      '\tx',
      '\rx',
    ];
    const tasks = (await fx
      .knex('task_instances')
      .where({ college_id: 'literature' })
      .orderBy('due_at')
      .limit(starts.length)
      .select('id')) as Array<{ id: string }>;
    for (const [i, t] of tasks.entries())
      await fx.knex('task_instances').where({ id: t.id }).update({ note: starts[i] });
    const csv = await (await admin.fetch(`/exports/tasks.csv?semester=${fx.semesterId}&college=literature`)).text();
    for (const s of starts)
      expect(csv, JSON.stringify(s)).toMatch(
        new RegExp(`(^|,)"?'${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/"/g, '""')}`, 'm'),
      );

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(
      await (await admin.fetch(`/exports/tasks.xlsx?semester=${fx.semesterId}&college=literature`)).arrayBuffer(),
    );
    const notes = wb.worksheets[0]!.getColumn(14).values.slice(2).map(String);
    // (XML reads a CR in text back as LF)
    for (const s of starts) expect(notes, JSON.stringify(s)).toContain(`'${s}`.replace(/\r/g, '\n'));
  });
});

describe('the calendar feed URL', () => {
  test('When a feed is created with a forged Host header, then its URL starts with the configured PUBLIC_URL', async () => {
    const res = await counsellor.fetch('/me/calendar-feed', {
      method: 'POST',
      headers: { accept: 'application/json', host: 'evil.example' },
    });
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    expect(url).toMatch(/^https:\/\/duty\.example\.edu\.cn\/ics\/[A-Za-z0-9_-]{43}\.ics$/);
  });

  test('When PUBLIC_URL is not set, then it is http://HOST:PORT; when it is not a URL, then the configuration names it', () => {
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).PUBLIC_URL).toBe('http://0.0.0.0:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://duty.example.edu.cn/' }).PUBLIC_URL).toBe('https://duty.example.edu.cn');
    expect(() => loadConfig({ PUBLIC_URL: 'duty.example.edu.cn' })).toThrow(/PUBLIC_URL: /);
  });
});

describe('SQLite read-then-write transactions', () => {
  let dir: string;
  let a: Knex;
  let b: Knex;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-busy-'));
    const file = path.join(dir, 'app.sqlite');
    a = createKnex({ sqliteFile: file });
    await migrateLatest(a);
    b = createKnex({ sqliteFile: file }); // a second process's connection (the worker, another replica)
    await a.schema.createTable('busy_probe', (t) => {
      t.increments('id');
      t.integer('n');
    });
  });
  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Two read-then-write transactions from two connections, interleaved: each reads, and the first
   * writes only once the second has read (or could not start reading because it waits for the lock).
   */
  async function interleaved(run: (db: Knex, fn: (trx: Knex.Transaction) => Promise<void>) => Promise<void>) {
    let secondRead!: () => void;
    const read = new Promise<void>((r) => (secondRead = r));
    const first = run(a, async (trx) => {
      await trx('busy_probe').count({ n: '*' });
      // the second transaction either has read (deferred) or waits for the write lock (immediate)
      await Promise.race([read, new Promise((r) => setTimeout(r, 300))]);
      await trx('busy_probe').insert({ n: 1 });
    });
    const second = (async () => {
      await new Promise((r) => setTimeout(r, 20));
      return run(b, async (trx) => {
        await trx('busy_probe').count({ n: '*' });
        secondRead();
        await trx('busy_probe').insert({ n: 2 });
      });
    })();
    return Promise.allSettled([first, second]);
  }

  test('When both use a plain transaction, then the second fails with SQLITE_BUSY (what a pairing POST met)', async () => {
    const results = await interleaved((db, fn) => db.transaction(fn));
    expect(results.map((r) => r.status)).toContain('rejected');
    const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String((failure.reason as { code?: string }).code)).toBe('SQLITE_BUSY');
  });

  test('When both use writeTransaction, then the second waits for the lock and both succeed', async () => {
    await a('busy_probe').delete();
    const results = await interleaved((db, fn) => writeTransaction(db, fn));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await a('busy_probe').count({ n: '*' }).first()).toEqual({ n: 2 });
  });

  test('When pairings are posted concurrently on a fresh SQLite file while another connection writes, then every one succeeds', async () => {
    const leader = await login(fx.base, 'literature-college-leader');
    const teacher = 'literature-class-teacher';
    const other = createKnex({ sqliteFile: path.join(fx.dir, 'app.sqlite') });
    try {
      const posts = Array.from({ length: 4 }, (_, i) =>
        json(leader, '/api/colleges/literature/pairings', 'POST', {
          teacherUserId: teacher,
          studentNo: `P00${i}`,
          studentName: `学生${i}`,
        }),
      );
      const writes = Array.from({ length: 4 }, (_, i) =>
        writeTransaction(other, async (trx) => {
          await trx('audit_events').where({ subject_type: 'probe' }).count({ n: '*' });
          await trx('audit_events').insert({
            event_key: `probe-${i}`,
            subject_type: 'probe',
            subject_id: 'x',
            action: 'probe',
            actor: 'test',
            at: Date.now(),
            details: null,
          });
        }),
      );
      const statuses = (await Promise.all(posts)).map((r) => r.status);
      await Promise.all(writes);
      expect(statuses).toEqual([201, 201, 201, 201]);
    } finally {
      await other.destroy();
    }
  });
});

describe('server/openapi.json', () => {
  test('When an operation has a path parameter, then it documents its 404', () => {
    const spec = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'server', 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    };
    const missing = Object.entries(spec.paths).flatMap(([p, ops]) =>
      p.includes('{')
        ? Object.entries(ops)
            .filter(([, op]) => !op.responses?.['404'])
            .map(([m]) => `${m.toUpperCase()} ${p}`)
        : [],
    );
    expect(missing).toEqual([]);
  });
});
