/**
 * Finding 10: the property-based pass. Random bodies (fast-check) for every state-changing JSON
 * and form route the app registers, sent by signed-in users of the literature college (counsellor,
 * class teacher, college leader) and by the school admin, against the real app over HTTP with the
 * real workflows on the time-skipping server. Invariants:
 *   1. never a 5xx;
 *   2. for the literature users, nothing that belongs to the science college changes: every row of
 *      the science college that existed before is unchanged, and no new science row appears except
 *      a crisis case routed there (finding 2: a report naming a science student is accepted and
 *      routed to its college).
 * The number of cases is printed (`property cases: N`). PROPERTY_RUNS sets the runs per route
 * (default 12); the seed is printed, and PROPERTY_SEED replays a run.
 */
import fc from 'fast-check';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../server/app';
import { startTaskOf } from '../helpers/tasks';
import { workerStack, type WorkerStack } from '../helpers/worker';
import { login, type Session, type WebFixture } from '../helpers/web';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 12);
const SEED = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : Date.now() % 2 ** 31;

let stack: WorkerStack;
let fx: WebFixture;

/** Routes never fuzzed, and why. */
const SKIP: Record<string, string> = {
  'POST /logout': 'ends the caller’s own session',
  'DELETE /api/session': 'ends the caller’s own session',
  'POST /login': 'sign-in has its own tests (rate limits would lock the fixture accounts)',
  'POST /api/session': 'sign-in has its own tests (rate limits would lock the fixture accounts)',
};

/** Tables whose rows belong to one college, and the column that says which. */
const COLLEGE_TABLES: Array<[table: string, column: string]> = [
  ['task_instances', 'college_id'],
  ['students', 'college_id'],
  ['crisis_cases', 'college_id'],
  ['screening_warnings', 'college_id'],
  ['key_care_entries', 'college_id'],
  ['ledger_entries', 'college_id'],
  ['pairings', 'college_id'],
  ['users', 'college_id'],
];

type Snapshot = Map<string, Map<string, string>>;

async function scienceSnapshot(knex: Knex): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const [table, column] of COLLEGE_TABLES) {
    const rows = (await knex(table).where(column, 'science')) as Array<Record<string, unknown>>;
    out.set(table, new Map(rows.map((r) => [String(r.id), JSON.stringify(r)])));
  }
  const followUps = (await knex('ledger_follow_ups').whereIn(
    'entry_id',
    knex('ledger_entries').where('college_id', 'science').select('id'),
  )) as Array<Record<string, unknown>>;
  out.set('ledger_follow_ups', new Map(followUps.map((r) => [String(r.id), JSON.stringify(r)])));
  return out;
}

/** What changed in the science college between two snapshots, except routed crisis cases. */
function scienceChanges(
  before: Snapshot,
  after: Snapshot,
  routedAllowed: (row: Record<string, unknown>) => boolean,
): string[] {
  const changes: string[] = [];
  for (const [table, rows] of before) {
    const now = after.get(table)!;
    for (const [id, json] of rows) {
      if (!now.has(id)) changes.push(`${table} ${id} disappeared`);
      else if (now.get(id) !== json) changes.push(`${table} ${id} changed: ${json} → ${now.get(id)}`);
    }
    for (const [id, json] of now) {
      if (rows.has(id)) continue;
      if (table === 'crisis_cases' && routedAllowed(JSON.parse(json) as Record<string, unknown>)) continue;
      changes.push(`${table} ${id} appeared: ${json}`);
    }
  }
  return changes;
}

interface Route {
  method: string;
  path: string;
}

function registeredRoutes(app: unknown): Route[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const out: Route[] = [];
  const walk = (stack: Layer[]) => {
    for (const l of stack) {
      if (l.route)
        for (const m of Object.keys(l.route.methods)) out.push({ method: m.toUpperCase(), path: l.route.path });
      else if (l.handle?.stack) walk(l.handle.stack);
    }
  };
  walk((app as { router: { stack: Layer[] } }).router.stack);
  const seen = new Set<string>();
  return out.filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`));
}

/** Field names the routes read (grep of the handlers), and a few they do not. */
const FIELDS = [
  'studentNo',
  'studentName',
  'className',
  'collegeId',
  'college',
  'situation',
  'place',
  'occurredAt',
  'interviewAt',
  'at',
  'due',
  'dueAt',
  'reason',
  'note',
  'plan',
  'team',
  'followUp',
  'leaderUserId',
  'guardianUserId',
  'teacherUserId',
  'liaisonUserId',
  'receivedBy',
  'witnessedBy',
  'departments',
  'action',
  'record',
  'assessment',
  'counselling',
  'hospital',
  'text',
  'categories',
  'reasons',
  'lifeSafety',
  'overrideReason',
  'studentId',
  'pairingId',
  'status',
  'username',
  'displayName',
  'role',
  'email',
  'password',
  'templateId',
  'templateVersion',
  'calendarId',
  'id',
  'activities',
  'month',
  'gender',
  'majorClass',
  'contact',
  'description',
  'onSceneAckMs',
  '__proto__',
  'constructor',
];

interface Pools {
  studentNos: string[];
  userIds: string[];
  collegeIds: string[];
  taskIds: string[];
  /** ids of the rows a path parameter names, by the path's resource */
  byResource: Record<string, string[]>;
}

function arbitraries(ids: Pools) {
  const nasty = fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '＝1+1',
    '=cmd|"/c calc"!A1',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '../../etc/passwd',
    'x'.repeat(5000),
    '2024-13-45',
    '9999-12-31T23:59',
    '1e308',
    'NaN',
    '-1',
    '{}',
    '[]',
  );
  const date = fc.oneof(
    fc.constantFrom(1e300, 1e308, -1e308, 0, -1, Number.MAX_SAFE_INTEGER, 1728000000000),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('2024-10-15T11:00', '2024-10-15 11:00', '2024-10-15'),
  );
  const scalar = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    nasty,
    date,
    fc.constantFrom(...ids.studentNos, ...ids.userIds, ...ids.collegeIds, ...ids.taskIds),
  );
  const value = fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(scalar, { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...FIELDS), scalar, { maxKeys: 4 }),
  );
  const random = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), value, {
    maxKeys: 10,
  });
  const freshNo = fc.stringMatching(/^[A-Z]?[0-9]{4,10}$/);
  const body = (routePath: string) => {
    const base = BASES.find(([re]) => re.test(routePath))?.[1];
    if (!base) return random;
    const keys = Object.keys(base);
    const mutated = fc
      .tuple(fc.dictionary(fc.constantFrom(...keys), value, { minKeys: 1, maxKeys: 3 }), freshNo)
      .map(([over, no]) => ({ ...base, ...('studentNo' in base ? { studentNo: no } : {}), ...over }));
    return fc.oneof(random, mutated, mutated);
  };
  /** a value for each parameter of a route path: mostly real ids of both colleges, sometimes junk */
  const params = (routePath: string) => {
    const names = [...routePath.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const resource = Object.keys(ids.byResource).find((k) => routePath.includes(k));
    const pool = (name: string) =>
      name === 'collegeId'
        ? ids.collegeIds
        : name === 'step'
          ? STEPS
          : ((resource ? ids.byResource[resource] : undefined) ?? [...ids.taskIds, ...ids.userIds]);
    return fc.tuple(
      ...names.map((n) =>
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...pool(n)) },
          { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
        ),
      ),
    );
  };
  return { body, params };
}

/**
 * Valid bodies of the main write routes: half the cases start from one of these and replace one to
 * three fields with random values, so the fuzzer gets past the first check and reaches storage.
 */
const BASES: Array<[RegExp, Record<string, unknown>]> = [
  [
    /crises$/,
    {
      studentNo: 'L2024901',
      studentName: '文学甲',
      collegeId: 'literature',
      situation: 'injury',
      place: '图书馆',
      occurredAt: '2024-10-15T11:00',
    },
  ],
  [/key-care$/, { studentNo: 'L2024902', studentName: '文学乙', reasons: ['情绪低落'], plan: '每周谈心' }],
  [
    /ledger$/,
    {
      studentNo: 'L2024903',
      studentName: '文学丙',
      interviewAt: '2024-10-21T15:30:00+08:00',
      categories: ['academic'],
      description: '失眠',
      plan: '每周咨询',
      lifeSafety: true,
    },
  ],
  [/follow-ups$/, { text: '已转介心理中心', counselling: '1', at: '2024-11-02' }],
  [/pairings$/, { studentNo: 'L2024904', studentName: '文学丁', teacherUserId: 'literature-class-teacher' }],
  [/talks$/, { note: '谈心一次' }],
  [/complete$/, { note: '已完成' }],
  [/(waive|remove|end)$/, { reason: '情况好转' }],
  [/due$/, { due: '2024-12-01 10:00', reason: '调整' }],
  [
    /crises\/:id\/:step$/,
    {
      receivedBy: '家长',
      at: 1729000000000,
      witnessedBy: 'literature-counsellor',
      leaderUserId: 'literature-college-leader',
      team: 'a,b',
      plan: 'p',
      followUp: 'f',
      guardianUserId: 'literature-counsellor',
      note: 'n',
      action: 'police-called',
      departments: 'counselling-centre',
    },
  ],
  [
    /users$/,
    {
      username: 'fuzz-user',
      displayName: '测试',
      role: 'counsellor',
      collegeId: 'literature',
      password: 'a-long-password-1',
    },
  ],
];

const STEPS = ['on-scene', 'school-notified', 'action', 'guardian', 'check-in', 'hand-over', 'five-ones'];

function fillPath(template: string, pick: () => string): string {
  return template.replace(
    /:(\w+)(\.ics)?/g,
    (_m, _name: string, ext?: string) => `${encodeURIComponent(pick())}${ext ?? ''}`,
  );
}

function formBody(b: Record<string, unknown>, csrf: string): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(b)) {
    if (Array.isArray(v)) for (const x of v) p.append(k, typeof x === 'string' ? x : JSON.stringify(x));
    else p.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  p.set('_csrf', csrf);
  return p;
}

async function send(
  s: Session,
  r: Route,
  url: string,
  body: Record<string, unknown>,
  asForm: boolean,
): Promise<Response> {
  if (r.method === 'GET')
    return s.fetch(
      `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)])).toString()}`,
    );
  if (asForm)
    return s.fetch(url, {
      method: r.method,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formBody(body, s.csrf).toString(),
    });
  return s.fetch(url, {
    method: r.method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  // this file starts task workflows (workflows/task.ts) of its own: a per-task semester
  stack = await workerStack('properties', { taskModel: 'per-task' });
  ({ fx } = stack);
  // running task workflows in both colleges, and science's own care records, made by its own staff
  for (const college of ['literature', 'science']) {
    const rows = (await fx.store.listTaskInstances({ semesterId: fx.semesterId, collegeId: college })).slice(0, 3);
    for (const row of rows) await startTaskOf(stack.env.client, stack.queue, row);
  }
  const sci = await login(fx.base, 'science-counsellor');
  const json = (s: Session, p: string, b: object) => s.json(p, b);
  const ok = async (r: Promise<Response>) => {
    const res = await r;
    expect(res.status, await res.text()).toBeLessThan(300);
  };
  await ok(
    json(sci, '/api/colleges/science/key-care', {
      studentNo: 'S2024001',
      studentName: '科学甲',
      reasons: ['情绪低落'],
      plan: '每周谈心',
    }),
  );
  await ok(json(sci, '/api/colleges/science/ledger', { studentNo: 'S2024002', studentName: '科学乙' }));
  await ok(
    json(sci, '/api/crises', {
      studentNo: 'S2024003',
      studentName: '科学丙',
      collegeId: 'science',
      situation: 'injury',
      place: '实验楼',
      occurredAt: Date.now() - 60_000,
    }),
  );
}, 180_000);

afterAll(() => stack?.close());

describe('property-based pass over every state-changing route (finding 10)', () => {
  test('random bodies: never a 5xx, and literature users change nothing of the science college', async () => {
    const app = createApp(fx.deps);
    const routes = registeredRoutes(app).filter((r) => !SKIP[`${r.method} ${r.path}`]);
    const stateChanging = routes.filter((r) => r.method !== 'GET');
    const gets = routes.filter((r) => r.method === 'GET' && r.path.includes(':'));
    expect(stateChanging.length).toBeGreaterThan(40);

    const users = ['literature-counsellor', 'literature-class-teacher', 'literature-college-leader', 'admin'];
    const sessions = new Map<string, Session>();
    for (const u of users) sessions.set(u, await login(fx.base, u));
    const literatureUsers = new Set(
      (await fx.knex('users').where('college_id', 'literature').select('id')).map((r: { id: string }) => r.id),
    );

    const idsOf = async (table: string) => [
      ...(await fx.knex(table).select('id')).map((r: { id: string }) => String(r.id)),
      'none',
    ];
    const ids: Pools = {
      studentNos: ['S2024001', 'S2024002', 'S2024003', 'L2024001', 'NOPE-1'],
      userIds: ['science-counsellor', 'literature-counsellor', 'science-college-leader', 'nobody'],
      collegeIds: ['science', 'literature', 'nowhere'],
      taskIds: (await fx.knex('task_instances').whereNot('status', 'planned').select('id')).map(
        (r: { id: string }) => r.id,
      ),
      byResource: {
        '/crises/': await idsOf('crisis_cases'),
        'key-care/': await idsOf('key_care_entries'),
        '/ledger/': await idsOf('ledger_entries'),
        '/pairings/': [...(await idsOf('pairings')), 'none'],
        '/warnings/': [...(await idsOf('screening_warnings')), 'none'],
        '/tasks/': (await fx.knex('task_instances').whereNot('status', 'planned').select('id')).map(
          (r: { id: string }) => r.id,
        ),
        '/users/': ['fuzz-user', 'nobody'],
        '/inbox/': (await fx.knex('notifications').limit(20).select('id')).map((r: { id: number }) => String(r.id)),
        '/semesters/': ['nope'],
        '/evidence/': ['nope'],
      },
    };
    const arb = arbitraries(ids);
    const failures: string[] = [];
    let cases = 0;
    const statuses = new Map<number, number>();

    for (const caller of users) {
      const s = sessions.get(caller)!;
      // the admin may change every college: only "never a 5xx" is checked for it, and it is kept
      // away from the fixture's own accounts and from starting the whole semester
      const mine =
        caller === 'admin'
          ? stateChanging.filter((r) => !/users\/:id|semesters\/:id\/(start|colleges)/.test(r.path))
          : stateChanging;
      const before = caller === 'admin' ? undefined : await scienceSnapshot(fx.knex);
      for (const r of [...mine, ...gets]) {
        await fc
          .assert(
            fc.asyncProperty(arb.body(r.path), arb.params(r.path), fc.boolean(), async (body, picks, asForm) => {
              let i = 0;
              const url = fillPath(r.path, () => String(picks[i++] ?? ''));
              cases += 1;
              const res = await send(s, r, url, body, asForm && !r.path.startsWith('/api/'));
              statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
              if (res.status >= 500) {
                const text = (await res.text()).slice(0, 200);
                failures.push(
                  `${caller} ${r.method} ${url} ${JSON.stringify(body).slice(0, 300)} → ${res.status} ${text}`,
                );
                return false;
              }
              await res.arrayBuffer();
              return true;
            }),
            { numRuns: r.method === 'GET' ? Math.max(2, Math.floor(RUNS / 3)) : RUNS, seed: SEED, endOnFailure: true },
          )
          .catch(() => undefined); // collected in `failures`, reported below with every route
      }
      // what was stored must not break a page for anyone: every page and export without parameters,
      // for the caller and for the school admin
      const pages = routes.filter(
        (r) => r.method === 'GET' && !r.path.includes(':') && !/^\/(logout|api\/openapi)/.test(r.path),
      );
      for (const who of new Set([caller, 'admin'])) {
        for (const r of pages) {
          cases += 1;
          const res = await sessions.get(who)!.fetch(`${r.path}?semester=${encodeURIComponent(fx.semesterId)}`);
          if (res.status >= 500)
            failures.push(
              `${who} GET ${r.path} after ${caller}'s requests → ${res.status} ${(await res.text()).slice(0, 200)}`,
            );
          else await res.arrayBuffer();
        }
      }
      if (before) {
        const changes = scienceChanges(before, await scienceSnapshot(fx.knex), (row) =>
          literatureUsers.has(String(row.reported_by)),
        );
        failures.push(...changes.map((c) => `${caller}: ${c}`));
      }
    }
    const stored = Object.fromEntries(
      await Promise.all(
        ['crisis_cases', 'key_care_entries', 'ledger_entries', 'ledger_follow_ups', 'pairings', 'users'].map(
          async (t) => [t, Number((await fx.knex(t).count({ n: '*' }))[0]!.n)],
        ),
      ),
    );
    console.log(
      `statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; rows after the run: ${JSON.stringify(stored)}`,
    );
    console.log(
      `property cases: ${cases} (seed ${SEED}, ${RUNS} runs per state-changing route, ${stateChanging.length} state-changing and ${gets.length} parameterised GET routes, ${users.length} callers)`,
    );
    expect(failures).toEqual([]);
  }, 600_000);
});
