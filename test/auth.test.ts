/**
 * Sign-in, sessions, CSRF, the login rate limit and user administration (server/auth), over real
 * HTTP (port 0) and a real SQLite database. Each test client has its own cookie jar and its own
 * client address (X-Forwarded-For, `trust proxy` on), so rate-limit counts never leak between tests.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import iconv from 'iconv-lite';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PASSWORD, seedDemoSchool } from '../db/demo';
import { createKnex, migrateLatest } from '../db/knex';
import { hashPassword } from '../db/passwords';
import { createStore, type Store } from '../db/store';
import { BadRequestError, currentUser, ForbiddenError, UnauthorizedError } from '../server/platform/auth/context';
import { createAuth } from '../server/auth';
import { parseCsv } from '../server/platform/csv';
import type { AppDeps } from '../server/platform/deps';

const MINUTE = 60_000;
const IDLE_MS = 30 * MINUTE;
const WINDOW_MS = 15 * MINUTE;

let dir: string;
let db: Knex;
let store: Store;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-auth-'));
  db = createKnex({ sqliteFile: path.join(dir, 'app.sqlite') });
  await migrateLatest(db);
  store = createStore(db);
  await seedDemoSchool(store);
  // Another school, to prove user administration never reaches across schools.
  await store.upsertSchool({
    id: 'other-school',
    name: '另一所大学',
    nameEn: 'Other University',
    timezone: 'Asia/Shanghai',
  });
  await store.upsertUser({
    id: 'other-admin',
    schoolId: 'other-school',
    username: 'other-admin',
    displayName: '外校管理员',
    role: 'school_admin',
    passwordHash: await hashPassword(DEMO_PASSWORD),
  });
});
afterAll(async () => {
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Harness

interface Harness {
  base: string;
  /** the app's clock (deps.now); advance it to let time pass */
  clock: { t: number };
}

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

async function startApp(overrides: Partial<AppDeps> = {}): Promise<Harness> {
  const clock = { t: Date.now() };
  const deps: AppDeps = {
    store,
    knex: db,
    schoolId: 'demo-school',
    temporalUiUrl: 'http://127.0.0.1:8233',
    publicUrl: 'http://127.0.0.1:3000',
    namespace: 'default',
    taskQueue: 'q',
    checkTemporal: async () => {},
    evidenceDir: path.join(dir, 'evidence'),
    secureCookies: false,
    sessionIdleMs: IDLE_MS,
    loginMaxAttempts: 5,
    loginWindowMs: WINDOW_MS,
    now: () => clock.t,
    loginDelay: async () => {}, // the progressive delay is tested in test/security/sign-in.test.ts
    ...overrides,
  };
  const auth = createAuth(deps);
  const app = express();
  app.set('trust proxy', true);
  app.use(express.json(), express.urlencoded({ extended: false }));
  app.use(auth.before);
  app.use(auth.router);
  app.get('/api/whoami', (req, res) => {
    res.json({ username: currentUser(req).username });
  });
  app.post('/api/ping', (req, res) => {
    currentUser(req);
    res.json({ pong: true });
  });
  // The same mapping as the app's error handler.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof UnauthorizedError)
      return void res.status(401).json({ error: res.locals.sessionExpired ? 'session expired' : err.message });
    if (err instanceof ForbiddenError) return void res.status(403).json({ error: err.message });
    if (err instanceof BadRequestError) return void res.status(400).json({ error: err.message });
    console.error(err);
    res.status(500).json({ error: 'internal error' });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, clock };
}

let ipCounter = 0;
const newIp = () => {
  ipCounter++;
  return `10.9.${ipCounter >> 8}.${ipCounter & 255}`;
};

/** A browser: a cookie jar, a client address, and the CSRF token it was given. */
class Client {
  cookie: string | undefined;
  csrf: string | undefined;
  lastSetCookie: string[] = [];
  constructor(
    readonly h: Harness,
    readonly ip = newIp(),
  ) {}

  async req(
    method: string,
    url: string,
    opts: { json?: unknown; form?: Record<string, string>; body?: FormData; headers?: Record<string, string> } = {},
  ): Promise<globalThis.Response> {
    const headers: Record<string, string> = { 'x-forwarded-for': this.ip, ...opts.headers };
    if (this.cookie) headers.cookie = this.cookie;
    let body: string | FormData | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    } else body = opts.body;
    const res = await fetch(this.h.base + url, { method, headers, body, redirect: 'manual' });
    this.lastSetCookie = res.headers.getSetCookie();
    for (const c of this.lastSetCookie) {
      const [pair] = c.split(';');
      const value = pair!.slice(pair!.indexOf('=') + 1);
      if (!pair!.startsWith('sid=')) continue;
      this.cookie = value && !/Max-Age=0/i.test(c) ? `sid=${value}` : undefined;
    }
    return res;
  }

  /** Signs in through the JSON API; returns the response. */
  async login(username: string, password = DEMO_PASSWORD): Promise<globalThis.Response> {
    const res = await this.req('POST', '/api/session', { json: { username, password } });
    if (res.status === 200) this.csrf = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    return res;
  }

  /** A state-changing JSON request carrying the CSRF header. */
  send(method: string, url: string, json?: unknown) {
    return this.req(method, url, { json, headers: { 'x-csrf-token': this.csrf ?? '' } });
  }
}

async function signedIn(h: Harness, username: string, password = DEMO_PASSWORD): Promise<Client> {
  const c = new Client(h);
  const res = await c.login(username, password);
  expect(res.status).toBe(200);
  return c;
}

const errorOf = async (res: globalThis.Response) => ((await res.json()) as { error: string }).error;

/** A user of the demo school with a known password, for tests that lock or change it. */
async function makeUser(username: string, password = 'correct-horse-battery'): Promise<void> {
  await store.upsertUser({
    id: username,
    schoolId: 'demo-school',
    collegeId: 'literature',
    username,
    displayName: username,
    role: 'counsellor',
    passwordHash: await hashPassword(password),
    active: true,
  });
}

// ---------------------------------------------------------------------------------------------

describe('POST /api/session', () => {
  test('When the password is right, then it is 200 with the user and a CSRF token, and the cookie signs in', async () => {
    const h = await startApp();
    const c = new Client(h);
    const res = await c.login('literature-counsellor');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: Record<string, unknown>; csrfToken: string };
    expect(body.user).toEqual({
      id: 'literature-counsellor',
      username: 'literature-counsellor',
      displayName: '文学院辅导员',
      role: 'counsellor',
      collegeId: 'literature',
    });
    expect(body.csrfToken).toMatch(/^[\w-]{43}$/);
    const who = await c.req('GET', '/api/whoami');
    expect(await who.json()).toEqual({ username: 'literature-counsellor' });
  });

  test('When the password is wrong or the user unknown, then both are 401 with the same message', async () => {
    const h = await startApp();
    const wrong = await new Client(h).login('literature-counsellor', 'not-the-password');
    const unknown = await new Client(h).login('no-such-user', 'not-the-password');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.json()).toEqual({ error: 'wrong username or password' });
    expect(await unknown.json()).toEqual({ error: 'wrong username or password' });
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  test('When signed in, then the cookie is HttpOnly, SameSite=Lax, Path=/, a session cookie, not Secure; the database holds only its hash', async () => {
    const h = await startApp();
    const c = await signedIn(h, 'admin');
    const sid = c.lastSetCookie.find((s) => s.startsWith('sid='))!;
    expect(sid).toMatch(/; HttpOnly/);
    expect(sid).toMatch(/; SameSite=Lax/);
    expect(sid).toMatch(/; Path=\//);
    expect(sid).not.toMatch(/Secure|Max-Age|Expires/i);
    const token = c.cookie!.slice('sid='.length);
    expect(await db('sessions').where({ id: token }).first()).toBeUndefined();
    expect(
      await db('sessions')
        .where({ id: createHash('sha256').update(token).digest('hex') })
        .first(),
    ).toMatchObject({ user_id: 'admin', csrf_token: c.csrf });
  });

  test('When secureCookies is on, then the cookie is Secure', async () => {
    const h = await startApp({ secureCookies: true });
    const c = await signedIn(h, 'admin');
    expect(c.lastSetCookie.find((s) => s.startsWith('sid='))).toMatch(/; Secure/);
  });

  test('When the Origin header names another site, then it is 403 and nobody is signed in', async () => {
    const h = await startApp();
    const c = new Client(h);
    const res = await c.req('POST', '/api/session', {
      json: { username: 'admin', password: DEMO_PASSWORD },
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(c.cookie).toBeUndefined();
    const same = await c.req('POST', '/api/session', {
      json: { username: 'admin', password: DEMO_PASSWORD },
      headers: { origin: h.base },
    });
    expect(same.status).toBe(200);
  });
});

describe('GET /api/session', () => {
  test('When signed in, then it returns the user and the CSRF token; signed out, then 401 not signed in', async () => {
    const h = await startApp();
    const c = await signedIn(h, 'literature-college-leader');
    const res = await c.req('GET', '/api/session');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      user: { username: 'literature-college-leader', role: 'college_leader' },
      csrfToken: c.csrf,
    });
    const anon = await new Client(h).req('GET', '/api/session');
    expect(anon.status).toBe(401);
    expect(await errorOf(anon)).toBe('not signed in');
  });

  test('When the session was idle longer than sessionIdleMs, then it is 401 session expired, the session is gone, and the next request is not signed in', async () => {
    const h = await startApp();
    const c = await signedIn(h, 'literature-counsellor');
    const cookie = c.cookie!;
    const sessionId = createHash('sha256').update(cookie.slice('sid='.length)).digest('hex');
    h.clock.t += IDLE_MS + 1000;
    const res = await c.req('GET', '/api/session');
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toBe('session expired');
    expect(c.cookie).toBeUndefined(); // cleared
    expect(await db('sessions').where({ id: sessionId }).first()).toBeUndefined();
    const again = await c.req('GET', '/api/session', { headers: { cookie } });
    expect(await errorOf(again)).toBe('not signed in');
  });

  test('When requests keep coming within the idle time, then the session stays alive past sessionIdleMs', async () => {
    const h = await startApp();
    const c = await signedIn(h, 'literature-counsellor');
    for (let i = 0; i < 3; i++) {
      h.clock.t += 20 * MINUTE;
      expect((await c.req('GET', '/api/whoami')).status).toBe(200);
    }
  });

  test('When a protected route is called after the idle timeout, then it is 401 session expired', async () => {
    const h = await startApp();
    const c = await signedIn(h, 'literature-counsellor');
    h.clock.t += IDLE_MS + 1;
    const res = await c.req('GET', '/api/whoami');
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toBe('session expired');
  });
});

describe('POST /login (form)', () => {
  test('When GET /login, then it is the Chinese login form', async () => {
    const h = await startApp();
    const res = await new Client(h).req('GET', '/login');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('name="username"');
    expect(page).toContain('type="password"');
    expect(page).toContain('/assets/app.css');
  });

  test('When the password is right, then it is 303 to / with the session cookie', async () => {
    const h = await startApp();
    const c = new Client(h);
    const res = await c.req('POST', '/login', { form: { username: 'admin', password: DEMO_PASSWORD } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect((await c.req('GET', '/api/whoami')).status).toBe(200);
  });

  test('When the password is wrong or the user unknown, then it is 401 with the same generic message', async () => {
    const h = await startApp();
    for (const username of ['admin', 'nobody-here']) {
      const res = await new Client(h).req('POST', '/login', { form: { username, password: 'wrong-password' } });
      expect(res.status).toBe(401);
      const page = await res.text();
      expect(page).toContain('用户名或密码错误');
      expect(page).not.toMatch(/用户不存在|密码不正确/);
    }
  });
});

describe('POST /logout and DELETE /api/session', () => {
  test('When signing out with the form, then it is 303 to /login and the old cookie no longer works', async () => {
    const h = await startApp();
    const c = await signedIn(h, 'admin');
    const oldCookie = c.cookie!;
    const res = await c.req('POST', '/logout', { form: { _csrf: c.csrf! } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(c.cookie).toBeUndefined();
    const replay = await c.req('GET', '/api/whoami', { headers: { cookie: oldCookie } });
    expect(replay.status).toBe(401);
  });

  test('When DELETE /api/session carries the CSRF token, then it is 204 and signed out; without it, 403', async () => {
    const h = await startApp();
    const c = await signedIn(h, 'admin');
    expect((await c.req('DELETE', '/api/session')).status).toBe(403);
    expect((await c.send('DELETE', '/api/session')).status).toBe(204);
    expect((await c.req('GET', '/api/whoami')).status).toBe(401);
  });
});

describe('CSRF (POST /api/ping)', () => {
  test('When the token is missing or wrong, then it is 403; when right (header, form field or multipart query), then 200', async () => {
    const h = await startApp();
    const c = await signedIn(h, 'literature-counsellor');
    const missing = await c.req('POST', '/api/ping', { json: {} });
    expect(missing.status).toBe(403);
    expect(await errorOf(missing)).toBe('CSRF token missing or wrong');
    const wrong = await c.req('POST', '/api/ping', { json: {}, headers: { 'x-csrf-token': 'A'.repeat(43) } });
    expect(wrong.status).toBe(403);
    expect((await c.send('POST', '/api/ping', {})).status).toBe(200);
    expect((await c.req('POST', '/api/ping', { form: { _csrf: c.csrf! } })).status).toBe(200);
    const form = new FormData();
    form.append('note', 'x');
    expect((await c.req('POST', `/api/ping?_csrf=${encodeURIComponent(c.csrf!)}`, { body: form })).status).toBe(200);
    // the query parameter counts only for multipart bodies
    expect((await c.req('POST', `/api/ping?_csrf=${encodeURIComponent(c.csrf!)}`, { json: {} })).status).toBe(403);
  });

  test("When another session's token is sent, then it is 403", async () => {
    const h = await startApp();
    const a = await signedIn(h, 'literature-counsellor');
    const b = await signedIn(h, 'literature-counsellor');
    expect((await a.req('POST', '/api/ping', { json: {}, headers: { 'x-csrf-token': b.csrf! } })).status).toBe(403);
  });

  test('When signed out, then a POST is 401 (authentication answers, not CSRF)', async () => {
    const h = await startApp();
    const res = await new Client(h).req('POST', '/api/ping', { json: {} });
    expect(res.status).toBe(401);
  });
});

describe('login rate limit', () => {
  // Issue 10 finding 7: the lockout is per account AND address (was per account from any
  // addresses, which let anyone lock a user out); the account itself is slowed down instead.
  test('When an account has loginMaxAttempts failures from one address, then that address gets 429 naming the account, with Retry-After, even with the right password; other addresses still sign in', async () => {
    const h = await startApp();
    await makeUser('rate-account');
    const ip = newIp();
    for (let i = 0; i < 5; i++)
      expect((await new Client(h, ip).login('rate-account', 'wrong-password')).status).toBe(401);
    const res = await new Client(h, ip).login('rate-account', 'correct-horse-battery');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(900);
    expect(await errorOf(res)).toMatch(/for this account from this address/);
    // the form says it too
    const page = await new Client(h, ip).req('POST', '/login', {
      form: { username: 'rate-account', password: 'correct-horse-battery' },
    });
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toBeTruthy();
    expect(await page.text()).toContain('该账号登录失败次数过多');
    // another address is not locked out
    expect((await new Client(h).login('rate-account', 'correct-horse-battery')).status).toBe(200);
    // once the window has passed, the right password works again from the first address
    h.clock.t += WINDOW_MS + 1000;
    expect((await new Client(h, ip).login('rate-account', 'correct-horse-battery')).status).toBe(200);
  });

  test('When an address has loginMaxAttempts failures (any usernames), then its next attempt is 429 naming the address; other addresses still sign in', async () => {
    const h = await startApp();
    const ip = newIp();
    for (let i = 0; i < 5; i++)
      expect((await new Client(h, ip).login(`guess-${i}`, 'wrong-password')).status).toBe(401);
    const res = await new Client(h, ip).login('admin');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await errorOf(res)).toMatch(/from this address/);
    expect((await new Client(h).login('admin')).status).toBe(200);
  });

  test('When sign-ins succeed, then they do not count', async () => {
    const h = await startApp();
    const ip = newIp();
    for (let i = 0; i < 7; i++) expect((await new Client(h, ip).login('admin')).status).toBe(200);
  });
});

describe('inactive users', () => {
  test('When a user is deactivated, then their sessions end and they cannot sign in (same generic message)', async () => {
    const h = await startApp();
    await makeUser('soon-inactive');
    const user = await signedIn(h, 'soon-inactive', 'correct-horse-battery');
    const admin = await signedIn(h, 'admin');
    const res = await admin.send('POST', '/api/users/soon-inactive/deactivate');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { username: 'soon-inactive', active: false } });
    expect(await db('sessions').where({ user_id: 'soon-inactive' })).toEqual([]);
    expect((await user.req('GET', '/api/whoami')).status).toBe(401);
    const again = await new Client(h).login('soon-inactive', 'correct-horse-battery');
    expect(again.status).toBe(401);
    expect(await errorOf(again)).toBe('wrong username or password');
    // activating lets them back in
    expect((await admin.send('POST', '/api/users/soon-inactive/activate')).status).toBe(200);
    expect((await new Client(h).login('soon-inactive', 'correct-horse-battery')).status).toBe(200);
  });

  test('When a user is made inactive in the database mid-session, then the next request is signed out', async () => {
    const h = await startApp();
    await makeUser('db-inactive');
    const c = await signedIn(h, 'db-inactive', 'correct-horse-battery');
    await db('users').where({ id: 'db-inactive' }).update({ active: false });
    const res = await c.req('GET', '/api/whoami');
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toBe('sign in first');
  });
});

describe('user administration (/api/users, /admin/users)', () => {
  test('When a college leader asks, then it is 403; signed out, 401', async () => {
    const h = await startApp();
    const leader = await signedIn(h, 'literature-college-leader');
    expect((await leader.req('GET', '/api/users')).status).toBe(403);
    expect((await leader.req('GET', '/admin/users')).status).toBe(403);
    expect(
      (
        await leader.send('POST', '/api/users', {
          username: 'x-user',
          displayName: 'x',
          role: 'counsellor',
          collegeId: 'literature',
          password: 'long-enough-pw',
        })
      ).status,
    ).toBe(403);
    const anon = new Client(h);
    expect((await anon.req('GET', '/api/users')).status).toBe(401);
    expect((await anon.req('GET', '/admin/users')).status).toBe(401);
  });

  test('When the school admin lists users, then it sees its school only and no password hashes', async () => {
    const h = await startApp();
    const admin = await signedIn(h, 'admin');
    const res = await admin.req('GET', '/api/users');
    expect(res.status).toBe(200);
    const { users } = (await res.json()) as { users: Array<Record<string, unknown>> };
    expect(users.length).toBeGreaterThanOrEqual(33);
    expect(users.find((u) => u.username === 'other-admin')).toBeUndefined();
    expect(JSON.stringify(users)).not.toMatch(/scrypt|passwordHash/);
  });

  test('When the admin creates a user, then it is 201 and the user can sign in; invalid input is 400 naming the problem', async () => {
    const h = await startApp();
    const admin = await signedIn(h, 'admin');
    const ok = await admin.send('POST', '/api/users', {
      username: 'new-teacher',
      displayName: '新班主任',
      role: 'class_teacher',
      collegeId: 'science',
      email: 'nt@example.cn',
      password: 'a-long-password',
    });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({
      user: { username: 'new-teacher', role: 'class_teacher', collegeId: 'science', active: true },
    });
    expect((await new Client(h).login('new-teacher', 'a-long-password')).status).toBe(200);

    const base = {
      username: 'bad-user',
      displayName: '某人',
      role: 'counsellor',
      collegeId: 'science',
      password: 'a-long-password',
    };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...base, password: 'short' }, /password: must have at least 10 characters/],
      [{ ...base, role: 'school_admin' }, /school administrator belongs to no college/],
      [{ ...base, collegeId: '' }, /needs a college/],
      [{ ...base, collegeId: 'physics' }, /unknown college "physics"/],
      [{ ...base, username: 'new-teacher' }, /taken/],
      [{ ...base, role: 'janitor' }, /role/],
    ];
    for (const [body, message] of cases) {
      const res = await admin.send('POST', '/api/users', body);
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatch(message);
    }
    expect(await store.findUserByUsername('bad-user')).toBeUndefined();
  });

  test('When the admin updates role and college, then it takes effect on the user’s next request', async () => {
    const h = await startApp();
    await makeUser('to-promote');
    const user = await signedIn(h, 'to-promote', 'correct-horse-battery');
    const admin = await signedIn(h, 'admin');
    const res = await admin.send('PATCH', '/api/users/to-promote', {
      role: 'college_leader',
      collegeId: 'medicine',
      displayName: '医学院新领导',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      user: { role: 'college_leader', collegeId: 'medicine', displayName: '医学院新领导' },
    });
    expect(await (await user.req('GET', '/api/session')).json()).toMatchObject({
      user: { role: 'college_leader', collegeId: 'medicine' },
    });
    // to school admin: the college is dropped
    const up = await admin.send('PATCH', '/api/users/to-promote', { role: 'school_admin' });
    expect(await up.json()).toMatchObject({ user: { role: 'school_admin', collegeId: null } });
  });

  test('When the target is of another school or unknown, then it is 404', async () => {
    const h = await startApp();
    const admin = await signedIn(h, 'admin');
    expect((await admin.send('PATCH', '/api/users/other-admin', { displayName: 'x' })).status).toBe(404);
    expect((await admin.send('POST', '/api/users/other-admin/deactivate')).status).toBe(404);
    expect((await admin.send('POST', '/api/users/other-admin/password', { password: 'another-password' })).status).toBe(
      404,
    );
    expect((await admin.send('POST', '/api/users/nobody/deactivate')).status).toBe(404);
    expect((await db('users').where({ id: 'other-admin' }).first()) as unknown).toMatchObject({
      active: 1,
      display_name: '外校管理员',
    });
  });

  test('When the admin would deactivate or demote themself, then it is 400', async () => {
    const h = await startApp();
    const admin = await signedIn(h, 'admin');
    expect((await admin.send('POST', '/api/users/admin/deactivate')).status).toBe(400);
    expect(
      (await admin.send('PATCH', '/api/users/admin', { role: 'counsellor', collegeId: 'literature' })).status,
    ).toBe(400);
  });

  test('When the admin resets a password, then the old one fails, the new one works, and the user’s sessions end', async () => {
    const h = await startApp();
    await makeUser('forgetful');
    const user = await signedIn(h, 'forgetful', 'correct-horse-battery');
    const admin = await signedIn(h, 'admin');
    expect((await admin.send('POST', '/api/users/forgetful/password', { password: 'short' })).status).toBe(400);
    expect((await admin.send('POST', '/api/users/forgetful/password', { password: 'brand-new-password' })).status).toBe(
      204,
    );
    expect((await user.req('GET', '/api/whoami')).status).toBe(401);
    expect((await new Client(h).login('forgetful', 'correct-horse-battery')).status).toBe(401);
    expect((await new Client(h).login('forgetful', 'brand-new-password')).status).toBe(200);
    const audit = await store.listAudit({ subjectType: 'user', subjectId: 'forgetful' });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([['user.password_reset', 'admin']]);
    expect(JSON.stringify(audit)).not.toContain('brand-new-password');
  });

  test('When the admin uses the pages, then forms create, update, reset and deactivate with 303 back to the list; a bad form re-renders with 400', async () => {
    const h = await startApp();
    const admin = await signedIn(h, 'admin');
    const list = await admin.req('GET', '/admin/users');
    expect(list.status).toBe(200);
    const page = await list.text();
    expect(page).toContain('用户管理');
    expect(page).toContain(`name="_csrf" value="${admin.csrf}"`);
    expect(page).toContain(`action="/admin/users/import?_csrf=${encodeURIComponent(admin.csrf!)}"`);

    const csrf = admin.csrf!;
    const created = await admin.req('POST', '/admin/users', {
      form: {
        _csrf: csrf,
        username: 'form-user',
        displayName: '表单用户',
        role: 'counsellor',
        collegeId: 'arts',
        email: '',
        password: 'form-password-1',
      },
    });
    expect(created.status).toBe(303);
    expect(created.headers.get('location')).toBe('/admin/users?saved=1');
    const u = (await store.findUserByUsername('form-user'))!;
    expect(u).toMatchObject({ collegeId: 'arts', email: null, active: true });

    expect(
      (
        await admin.req('POST', `/admin/users/${u.id}`, {
          form: {
            _csrf: csrf,
            displayName: '表单用户改',
            role: 'psych_counsellor',
            collegeId: 'arts',
            email: 'f@example.cn',
          },
        })
      ).status,
    ).toBe(303);
    expect(await store.findUserByUsername('form-user')).toMatchObject({
      displayName: '表单用户改',
      role: 'psych_counsellor',
      email: 'f@example.cn',
    });
    expect(
      (await admin.req('POST', `/admin/users/${u.id}/password`, { form: { _csrf: csrf, password: 'form-password-2' } }))
        .status,
    ).toBe(303);
    expect((await new Client(h).login('form-user', 'form-password-2')).status).toBe(200);
    expect((await admin.req('POST', `/admin/users/${u.id}/deactivate`, { form: { _csrf: csrf } })).status).toBe(303);
    expect(await store.findUserByUsername('form-user')).toMatchObject({ active: false });

    const bad = await admin.req('POST', '/admin/users', {
      form: {
        _csrf: csrf,
        username: 'form-user-2',
        displayName: 'x',
        role: 'counsellor',
        collegeId: '',
        password: 'form-password-1',
      },
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('the role counsellor needs a college');
    expect(
      (
        await admin.req('POST', '/admin/users', {
          form: {
            username: 'no-csrf',
            displayName: 'x',
            role: 'counsellor',
            collegeId: 'arts',
            password: 'form-password-1',
          },
        })
      ).status,
    ).toBe(403);
  });
});

describe('POST /api/users/import (CSV)', () => {
  const csvForm = (bytes: Buffer | string, name = 'users.csv') => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'text/csv' }), name);
    return form;
  };

  test('When the file is UTF-8 with a BOM and Chinese headers, then every row is created, quoted fields keep commas (a name is one line: no newlines, see test/security/small-findings.test.ts), and empty passwords are generated once', async () => {
    const h = await startApp();
    const admin = await signedIn(h, 'admin');
    const csv =
      '\uFEFF用户名,姓名,角色,学院,邮箱,初始密码\r\n' +
      'imp-a,"张三, 辅导员",辅导员,文学院,a@example.cn,imported-pass-1\r\n' +
      'imp-b,"李四 （兼）",班主任,science,,\r\n' +
      'imp-c,王五,学校管理员,,,\r\n';
    const res = await admin.req('POST', '/api/users/import', {
      body: csvForm(Buffer.from(csv, 'utf8')),
      headers: { 'x-csrf-token': admin.csrf! },
    });
    expect(res.status).toBe(200);
    const result = (await res.json()) as {
      created: number;
      updated: number;
      generatedPasswords: Array<{ username: string; password: string }>;
    };
    expect(result).toMatchObject({ created: 3, updated: 0 });
    expect(result.generatedPasswords.map((g) => g.username)).toEqual(['imp-b', 'imp-c']);
    expect(await store.findUserByUsername('imp-a')).toMatchObject({
      displayName: '张三, 辅导员',
      role: 'counsellor',
      collegeId: 'literature',
      email: 'a@example.cn',
    });
    expect(await store.findUserByUsername('imp-b')).toMatchObject({
      displayName: '李四 （兼）',
      role: 'class_teacher',
      collegeId: 'science',
      email: null,
    });
    expect(await store.findUserByUsername('imp-c')).toMatchObject({ role: 'school_admin', collegeId: null });
    expect((await new Client(h).login('imp-a', 'imported-pass-1')).status).toBe(200);
    expect((await new Client(h).login('imp-b', result.generatedPasswords[0]!.password)).status).toBe(200);
  });

  test('When the file is GBK with English headers, then the Chinese names are decoded; existing usernames are updated and keep their password', async () => {
    const h = await startApp();
    const admin = await signedIn(h, 'admin');
    const csv =
      'username,displayName,role,college,email\n' +
      'imp-gbk,赵六,心理辅导员,医学院,\n' +
      'literature-class-teacher,文学院班主任（新）,班主任,文学院,lct@example.cn\n';
    const bytes = iconv.encode(csv, 'gbk');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow(); // really not UTF-8
    const res = await admin.req('POST', '/api/users/import', {
      body: csvForm(bytes),
      headers: { 'x-csrf-token': admin.csrf! },
    });
    expect(res.status).toBe(200);
    const result = (await res.json()) as {
      created: number;
      updated: number;
      generatedPasswords: Array<{ username: string }>;
    };
    expect(result).toMatchObject({ created: 1, updated: 1 });
    expect(result.generatedPasswords.map((g) => g.username)).toEqual(['imp-gbk']);
    expect(await store.findUserByUsername('imp-gbk')).toMatchObject({
      displayName: '赵六',
      role: 'psych_counsellor',
      collegeId: 'medicine',
    });
    expect(await store.findUserByUsername('literature-class-teacher')).toMatchObject({
      displayName: '文学院班主任（新）',
      email: 'lct@example.cn',
    });
    expect((await new Client(h).login('literature-class-teacher')).status).toBe(200);
  });

  test('When 2 rows are bad, then it is 400 listing both by line number and no user is created', async () => {
    const h = await startApp();
    const admin = await signedIn(h, 'admin');
    const csv =
      'username,displayName,role,college\n' +
      'bad-1,好人,辅导员,文学院\n' +
      'bad-2,坏学院,辅导员,物理学院\n' +
      'bad-3,好人二,辅导员,文学院\n' +
      'bad-4,坏角色,校长,文学院\n';
    const res = await admin.req('POST', '/api/users/import', {
      body: csvForm(csv),
      headers: { 'x-csrf-token': admin.csrf! },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; problems: string[] };
    expect(body.problems).toEqual(['第 3 行: unknown college "物理学院"', '第 5 行: unknown role "校长"']);
    expect(body.error).toContain('第 3 行');
    expect(body.error).toContain('第 5 行');
    for (const u of ['bad-1', 'bad-2', 'bad-3', 'bad-4']) expect(await store.findUserByUsername(u)).toBeUndefined();
  });

  test('When the header is wrong or a username repeats, then each problem is listed', async () => {
    const h = await startApp();
    const admin = await signedIn(h, 'admin');
    const noRole = await admin.req('POST', '/api/users/import', {
      body: csvForm('username,姓名,班级\nx,y,z\n'),
      headers: { 'x-csrf-token': admin.csrf! },
    });
    expect(((await noRole.json()) as { problems: string[] }).problems).toEqual([
      '第 1 行: unknown column "班级"',
      '第 1 行: missing column "role/角色"',
    ]);
    const dup = await admin.req('POST', '/api/users/import', {
      body: csvForm(
        'username,displayName,role,college,password\ndup-a,甲,辅导员,文学院,short\ndup-a,乙,辅导员,文学院,\nother-admin,丙,辅导员,文学院,\n',
      ),
      headers: { 'x-csrf-token': admin.csrf! },
    });
    expect(((await dup.json()) as { problems: string[] }).problems).toEqual([
      '第 2 行: password shorter than 10 characters',
      '第 3 行: username "dup-a" appears again (first on line 2)',
      '第 4 行: username "other-admin" belongs to another school',
    ]);
  });

  test('When the upload is 2 MB, then it is 413 file too large', async () => {
    const h = await startApp();
    const admin = await signedIn(h, 'admin');
    const res = await admin.req('POST', '/api/users/import', {
      body: csvForm(Buffer.alloc(2 * 1024 * 1024, 'a')),
      headers: { 'x-csrf-token': admin.csrf! },
    });
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toBe('file too large (max 1 MB)');
  });

  test('When the multipart form carries no CSRF token, then it is 403; the page form with ?_csrf= shows the result', async () => {
    const h = await startApp();
    const admin = await signedIn(h, 'admin');
    const csv = 'username,displayName,role,college\npage-imp,页面导入,班主任,arts\n';
    expect((await admin.req('POST', '/api/users/import', { body: csvForm(csv) })).status).toBe(403);
    expect(await store.findUserByUsername('page-imp')).toBeUndefined();
    const res = await admin.req('POST', `/admin/users/import?_csrf=${encodeURIComponent(admin.csrf!)}`, {
      body: csvForm(csv),
    });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('导入完成：新建 1 个，更新 0 个。');
    expect(page).toContain('page-imp');
    const bad = await admin.req('POST', `/admin/users/import?_csrf=${encodeURIComponent(admin.csrf!)}`, {
      body: csvForm('username,displayName,role,college\nx-y,名,辅导员,物理学院\n'),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('第 2 行: unknown college &#34;物理学院&#34;');
  });
});

describe('parseCsv', () => {
  test('When fields are quoted, then commas, doubled quotes and CRLF newlines stay inside them', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\r\n"x\r\ny",,z')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['x\r\ny', '', 'z'],
    ]);
  });
});
