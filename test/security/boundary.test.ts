/**
 * Issue 10, finding 5 and two of finding 8: the HTTP boundary.
 *  - an upload route answers a caller who is not signed in, not allowed or without the CSRF token
 *    before it reads the body: the answer arrives while the client is still sending (the client
 *    stops writing as soon as it has the answer, and never gets to the end of its body);
 *  - an oversize file is refused with 413 naming the limit when it passes the limit, not after
 *    the whole body, and no temporary file is left;
 *  - a malformed multipart body is 400 naming the problem (was 500);
 *  - TRACE, and a method a known path does not have, are 405 with an Allow header (was 404).
 */
import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { uploadDir } from '../../server/platform/upload';
import { login, webFixture, type Session, type WebFixture } from '../helpers/web';

let fx: WebFixture;
let staff: Session;
let admin: Session;
let taskId: string;

beforeAll(async () => {
  fx = await webFixture();
  staff = await login(fx.base, 'literature-counsellor');
  admin = await login(fx.base, 'admin');
  const rows = await fx.store.listTaskInstances({ semesterId: fx.semesterId, collegeId: 'literature' });
  taskId = rows.find((r) => r.ownerRole === 'counsellor')!.id;
});
afterAll(async () => {
  await fx?.close();
});

const MB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x41);
const BOUNDARY = 'rx-boundary-test';

/** Files left in the upload area (temporary files of requests in flight or abandoned). */
function leftovers(): string[] {
  const dir = uploadDir(fx.deps.evidenceDir);
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

interface Sent {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** bytes of the body the client had written when the answer arrived */
  sentWhenAnswered: number;
  total: number;
}

/**
 * Sends one multipart file part of `fileBytes` bytes (the body declares its full length), one
 * 64 KB chunk at a time, and stops writing as soon as the response has arrived. A server that
 * reads the whole body first can only answer after the last byte; one that answers from the
 * headers (or at a file-size limit) answers while most of the body is still unsent.
 */
function sendMultipart(
  p: string,
  opts: { fileBytes: number; field?: string; cookie?: string; csrf?: string; query?: string },
): Promise<Sent> {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nx\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${opts.field ?? 'file'}"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const fileRest = opts.fileBytes - 5;
  const total = head.length + fileRest + tail.length;
  const url = new URL(fx.base + p + (opts.query ?? ''));
  return new Promise<Sent>((resolve, reject) => {
    let answered = false;
    let sent = 0;
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'POST',
        headers: {
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
          'content-length': String(total),
          accept: 'application/json',
          ...(opts.cookie ? { cookie: opts.cookie } : {}),
          ...(opts.csrf ? { 'x-csrf-token': opts.csrf } : {}),
        },
      },
      (res) => {
        answered = true;
        const sentWhenAnswered = sent;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            sentWhenAnswered,
            total,
          });
          req.destroy();
        });
      },
    );
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    const write = (b: Buffer) =>
      new Promise<void>((ok, fail) => {
        req.write(b, (err) => (err ? fail(err) : ok()));
      }).then(() => new Promise<void>((ok) => setImmediate(ok)));
    void (async () => {
      try {
        await write(head);
        sent += head.length;
        let left = fileRest;
        while (left > 0 && !answered) {
          const n = Math.min(left, CHUNK.length);
          await write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n));
          sent += n;
          left -= n;
        }
        if (!answered) {
          await write(tail);
          sent += tail.length;
          req.end();
        }
      } catch (e) {
        if (!answered) reject(e as Error);
      }
    })();
  });
}

/** A raw request with any method (fetch refuses TRACE). */
function raw(
  method: string,
  p: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(fx.base + p);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers: { accept: 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const BIG = 64 * MB; // far beyond any limit plus what the socket buffers hold (a few MB)
/** The fixture's task completed by `s` with one BIG evidence file. */
const completeWithBig = (s: Session) =>
  sendMultipart(`/api/tasks/${encodeURIComponent(taskId)}/complete`, {
    fileBytes: BIG,
    field: 'files',
    cookie: s.cookie,
    csrf: s.csrf,
  });

describe('finding 5: no body is read before sign-in, role and CSRF token are checked', () => {
  const routes = () => [
    `/api/tasks/${encodeURIComponent(taskId)}/complete`,
    `/tasks/${encodeURIComponent(taskId)}/complete`,
    '/api/screening/imports',
    '/api/semesters',
    '/admin/semesters',
    '/api/users/import',
    '/admin/users/import',
  ];

  test('When nobody is signed in, then every upload route answers 401 (pages: to /login) before the body is sent', async () => {
    for (const p of routes()) {
      const r = await sendMultipart(p, { fileBytes: BIG });
      if (p.startsWith('/api/')) expect({ p, status: r.status }).toEqual({ p, status: 401 });
      else
        expect({ p, status: r.status, location: r.headers.location }).toEqual({ p, status: 303, location: '/login' });
      expect({ p, early: r.sentWhenAnswered < r.total / 2 }).toEqual({ p, early: true });
    }
    expect(leftovers()).toEqual([]);
  });

  test('When the session cookie is stale, then it is the same: answered before the body', async () => {
    const r = await sendMultipart('/api/screening/imports', { fileBytes: BIG, cookie: 'sid=not-a-session' });
    expect(r.status).toBe(401);
    expect(r.sentWhenAnswered).toBeLessThan(r.total / 2);
  });

  test('When signed in without the CSRF token, or without the role, then it is 403 before the body', async () => {
    const noToken = await sendMultipart('/api/screening/imports', { fileBytes: BIG, cookie: staff.cookie });
    expect(noToken.status).toBe(403);
    expect(noToken.sentWhenAnswered).toBeLessThan(noToken.total / 2);
    for (const p of ['/api/semesters', '/api/users/import']) {
      const r = await sendMultipart(p, { fileBytes: BIG, cookie: staff.cookie, csrf: staff.csrf });
      expect({ p, status: r.status }).toEqual({ p, status: 403 });
      expect({ p, early: r.sentWhenAnswered < r.total / 2 }).toEqual({ p, early: true });
    }
  });

  test('When a task of another college is completed, then it is 403 before the body', async () => {
    const other = await login(fx.base, 'science-counsellor');
    const r = await completeWithBig(other);
    expect(r.status).toBe(403);
    expect(r.sentWhenAnswered).toBeLessThan(r.total / 2);
  });

  test('When a JSON or form body is sent without a session, then it is refused before it is parsed', async () => {
    // a body the parsers would refuse (400) if they read it: the 401 shows they did not
    const res = await fetch(`${fx.base}/api/colleges/literature/key-care`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(401);
  });
});

describe('finding 5: an oversize file is refused at its limit, and nothing is left on disk', () => {
  test('When evidence is larger than 10 MB, then it is 413 naming the limit before the rest is sent, and no temporary file is left', async () => {
    const r = await completeWithBig(staff);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toEqual({ error: 'file too large (files): the limit is 10 MB per file' });
    expect(r.sentWhenAnswered).toBeLessThan(r.total / 2);
    expect(leftovers()).toEqual([]);
    expect(await fx.knex('evidence_files').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  test('When a screening CSV is larger than 10 MB, or a user CSV larger than 1 MB, then it is 413 at the limit and nothing is left', async () => {
    const s = await sendMultipart('/api/screening/imports', { fileBytes: BIG, cookie: staff.cookie, csrf: staff.csrf });
    expect(s.status).toBe(413);
    expect(JSON.parse(s.body)).toEqual({ error: 'file too large (file): the limit is 10 MB per file' });
    expect(s.sentWhenAnswered).toBeLessThan(s.total / 2);
    const u = await sendMultipart('/api/users/import', { fileBytes: BIG, cookie: admin.cookie, csrf: admin.csrf });
    expect(u.status).toBe(413);
    expect(JSON.parse(u.body)).toEqual({ error: 'file too large (max 1 MB)' });
    expect(u.sentWhenAnswered).toBeLessThan(u.total / 2);
    const t = await sendMultipart('/api/semesters', {
      fileBytes: BIG,
      field: 'templateFile',
      cookie: admin.cookie,
      csrf: admin.csrf,
    });
    expect(t.status).toBe(413);
    expect(JSON.parse(t.body)).toEqual({ error: 'file too large (templateFile): the limit is 1 MB per file' });
    expect(leftovers()).toEqual([]);
  });

  test('When a completion is refused after the upload (not a PDF), then its temporary file is gone too', async () => {
    const f = new FormData();
    f.append('note', 'x');
    f.append('files', new Blob([Buffer.from('MZ\x90\x00not a pdf')]), 'tool.pdf');
    const res = await staff.fetch(`/api/tasks/${encodeURIComponent(taskId)}/complete`, { method: 'POST', body: f });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: '"tool.pdf" is not a JPEG, PNG or PDF file' });
    expect(leftovers()).toEqual([]);
  });
});

describe('finding 8: malformed multipart is 400, unsupported methods are 405', () => {
  test('When the multipart body is cut off or has no boundary, then it is 400 naming the problem', async () => {
    for (const p of ['/api/screening/imports', `/api/tasks/${encodeURIComponent(taskId)}/complete`]) {
      const cut = await raw(
        'POST',
        p,
        {
          cookie: staff.cookie,
          'x-csrf-token': staff.csrf,
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        },
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nabc`,
      );
      expect({ p, status: cut.status }).toEqual({ p, status: 400 });
      expect(JSON.parse(cut.body).error).toMatch(/^malformed multipart body: /);
      const noBoundary = await raw(
        'POST',
        p,
        { cookie: staff.cookie, 'x-csrf-token': staff.csrf, 'content-type': 'multipart/form-data' },
        'whatever',
      );
      expect({ p, status: noBoundary.status }).toEqual({ p, status: 400 });
      expect(JSON.parse(noBoundary.body).error).toMatch(/^malformed multipart body: /);
      const badHeader = await raw(
        'POST',
        p,
        {
          cookie: staff.cookie,
          'x-csrf-token': staff.csrf,
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        },
        `--${BOUNDARY}\r\nContent-Disposition form-data\r\n\r\nabc\r\n--${BOUNDARY}--\r\n`,
      );
      expect({ p, status: badHeader.status }).toEqual({ p, status: 400 });
    }
    expect(leftovers()).toEqual([]);
  });

  test('When TRACE is sent, then it is 405 (with the methods the path has in Allow)', async () => {
    const health = await raw('TRACE', '/healthz');
    expect(health.status).toBe(405);
    expect(health.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(health.body).error).toBe('method TRACE not allowed on /healthz');
    const session = await raw('TRACE', '/api/session', { cookie: staff.cookie });
    expect(session.status).toBe(405);
    expect(session.headers.allow).toBe('GET, HEAD, POST, DELETE');
    expect((await raw('TRACE', '/no-such-page')).status).toBe(405);
  });

  test('When a known path is called with a method it does not have, then it is 405 with Allow; an unknown path stays 404', async () => {
    const put = await raw('PUT', '/healthz', { cookie: staff.cookie, 'x-csrf-token': staff.csrf });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD');
    const del = await raw('DELETE', '/api/colleges');
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD');
    const unknown = await raw('POST', '/api/no-such-thing', { cookie: staff.cookie, 'x-csrf-token': staff.csrf });
    expect(unknown.status).toBe(404);
  });
});
