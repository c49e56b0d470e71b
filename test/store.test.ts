/**
 * The store against both drivers: SQLite (a temp file) and PostgreSQL (a fresh rx_test_<random>
 * database, created for the run and dropped at the end). PostgreSQL comes from TEST_PG_URL or
 * postgres://postgres@127.0.0.1:5432/test; when it cannot be reached its suite is skipped with a
 * warning saying why.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKnex, migrateLatest, migrationConfig, type DbOptions } from '../db/knex';
import { createStore, type PlannedTaskInput, type Store, type TaskInstanceRow } from '../db/store';
import { bothDrivers, connect } from './helpers/databases';

const MIGRATIONS = [
  '20241101000000_reference_data.ts',
  '20241101000100_read_model.ts',
  '20241101000200_deliveries.ts',
  '20241101000300_auth.ts',
  '20241101000400_calendar_feeds.ts',
  '20241101000500_evidence.ts',
  '20241101000600_students_and_crises.ts',
  '20241101000700_screening.ts',
  '20241101000800_care.ts',
  '20241201000100_crisis_routing.ts',
  '20241201000200_flag_bad_dates.ts',
  '20241201000400_workflow_integrity.ts',
  '20241201000900_semester_task_model.ts',
  '20241201001000_idempotency_keys.ts',
  '20261203000100_student_archive.ts',
  '20261203000200_class_dorm_levels.ts',
  '20261203000300_indicators.ts',
  '20261203000400_archive_notes.ts',
  '20261204000100_student_payload_keys.ts',
];
const TABLES = [
  'archive_notes',
  'indicator_inputs',
  'pairings',
  'ledger_follow_ups',
  'ledger_entries',
  'key_care_entries',
  'care_settings',
  'screening_warnings',
  'screening_batches',
  'crisis_cases',
  'students',
  'evidence_files',
  'calendar_feeds',
  'login_attempts',
  'sessions',
  'notification_deliveries',
  'notifications',
  'audit_events',
  'task_instances',
  'semesters',
  'users',
  'colleges',
  'templates',
  'calendars',
  'schools',
];
/** An instant above 2^31 (and 2^32): pg would hand int8 back as a string without our parser. */
const T0 = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------
// Drivers

/** SQLite in db/ of a temp directory (createKnex creates db/), and PostgreSQL. */
const drivers = bothDrivers('store', path.join('db', 'store.sqlite'));

// ---------------------------------------------------------------------------------------------
// Fixtures

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const TEMPLATE_BODY = JSON.stringify({ id: 'checklist-2024-autumn', version: 1, tasks: [] });
const CALENDAR_BODY = JSON.stringify({ id: 'cal-2024-autumn', semesterStart: '2024-09-02' });
const SCHOOL = { id: 'sch', name: '示例大学', nameEn: 'Example University', timezone: 'Asia/Shanghai' };
const TEACHER_A = {
  id: 'u-teach-a',
  schoolId: 'sch',
  collegeId: 'col-a',
  username: 'teach-a',
  displayName: '班主任A',
  role: 'class_teacher' as const,
};
const TEMPLATE_V1 = {
  id: 'checklist-2024-autumn',
  version: 1,
  kind: 'semester-checklist',
  titleZh: '润心清单',
  titleEn: 'Checklist',
  body: TEMPLATE_BODY,
  sha256: sha(TEMPLATE_BODY),
};
const CALENDAR = { id: 'cal-2024-autumn', nameZh: '2024秋季学期', body: CALENDAR_BODY, sha256: sha(CALENDAR_BODY) };
const SEMESTER = {
  id: 'sem',
  schoolId: 'sch',
  calendarId: 'cal-2024-autumn',
  templateId: 'checklist-2024-autumn',
  templateVersion: 1,
};

async function seedReference(store: Store): Promise<void> {
  await store.upsertSchool({ ...SCHOOL, createdAt: T0 });
  await store.upsertCollege({ id: 'col-a', schoolId: 'sch', name: '文学院', nameEn: 'Arts', sortOrder: 1 });
  await store.upsertCollege({ id: 'col-b', schoolId: 'sch', name: '理学院', nameEn: 'Science', sortOrder: 2 });
  await store.upsertCollege({
    id: 'col-old',
    schoolId: 'sch',
    name: '旧学院',
    nameEn: 'Old',
    sortOrder: 0,
    active: false,
  });
  await store.upsertUser({
    id: 'u-admin',
    schoolId: 'sch',
    username: 'admin',
    displayName: '管理员',
    role: 'school_admin',
  });
  await store.upsertUser({
    id: 'u-lead-a',
    schoolId: 'sch',
    collegeId: 'col-a',
    username: 'lead-a',
    displayName: '院领导A',
    role: 'college_leader',
  });
  await store.upsertUser(TEACHER_A);
  await store.saveTemplate(TEMPLATE_V1);
  await store.saveCalendar(CALENDAR);
  await store.upsertSemester(SEMESTER);
}

function plannedTask(id: string, over: Partial<PlannedTaskInput> = {}): PlannedTaskInput {
  return {
    id,
    semesterId: 'sem',
    collegeId: 'col-a',
    templateTaskId: `tpl-${id}`,
    month: '2025-01',
    kind: 'once',
    ownerRole: 'class_teacher',
    titleZh: `任务 ${id}`,
    titleEn: `Task ${id}`,
    openAt: T0,
    dueAt: T0 + 7 * DAY,
    ...over,
  };
}

/** A transition with one notification to the class teacher and one to the leader. */
function transition(taskId: string, eventKey: string, patch: Partial<TaskInstanceRow>, at = T0 + DAY) {
  return {
    taskId,
    patch,
    audit: { eventKey, action: patch.status ?? 'update', actor: 'timer', at, details: { patch } },
    notifications: [
      { recipientUserId: 'u-teach-a', kind: 'overdue', title: '任务逾期', body: taskId },
      { recipientUserId: 'u-lead-a', kind: 'escalation_l1', title: '任务逾期（上报）', body: taskId },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The suite, once per driver

describe.each(drivers)('store on $name', (driver) => {
  let opts: DbOptions;
  let db: Knex;
  let store: Store;
  let unavailable = false;
  let appliedAtStart: string[] = [];

  beforeAll(async () => {
    const connected = await connect(driver, 'store.test');
    if (!connected) {
      unavailable = true;
      return;
    }
    ({ db, opts } = connected);
    store = createStore(db);
    appliedAtStart = await migrateLatest(db);
  });

  afterAll(async () => {
    await db?.destroy();
    await driver.teardown();
  });

  beforeEach(async (ctx) => {
    if (unavailable) return ctx.skip();
    for (const table of TABLES) await db(table).del();
  });

  it('applies the migrations, rolls them all back and applies them again', async () => {
    expect(appliedAtStart).toEqual(MIGRATIONS);
    expect(await migrateLatest(db)).toEqual([]);
    await store.ping();

    await db.migrate.rollback(migrationConfig(), true);
    for (const table of TABLES) expect(await db.schema.hasTable(table)).toBe(false);

    expect(await migrateLatest(db)).toEqual(MIGRATIONS);
    for (const table of TABLES) expect(await db.schema.hasTable(table)).toBe(true);
  });

  it('upserts reference data, keeping created_at and an omitted password hash', async () => {
    await seedReference(store);
    await store.upsertUser({ ...TEACHER_A, passwordHash: 'hash-1', createdAt: T0 });
    await store.upsertUser({ ...TEACHER_A, displayName: '王老师', createdAt: T0 + DAY });
    await store.upsertSchool({ ...SCHOOL, nameEn: 'Example Univ.', createdAt: T0 + DAY });

    const teacher = await store.findUserByUsername('teach-a');
    expect(teacher).toMatchObject({ displayName: '王老师', passwordHash: 'hash-1', active: true, email: null });
    expect(teacher?.createdAt).not.toBe(T0 + DAY);
    expect(await store.getSchool('sch')).toEqual({ ...SCHOOL, nameEn: 'Example Univ.', createdAt: T0 });

    expect((await store.listColleges('sch')).map((c) => c.id)).toEqual(['col-a', 'col-b']); // active, by sort order
    expect(await store.getCollege('col-old')).toMatchObject({ active: false, sortOrder: 0 });
    await store.upsertCollege({ id: 'col-old', schoolId: 'sch', name: '旧学院', nameEn: 'Old', active: true });
    expect((await store.listColleges('sch')).map((c) => c.id)).toEqual(['col-old', 'col-a', 'col-b']);

    expect((await store.listUsers({ collegeId: 'col-a' })).map((u) => u.id).sort()).toEqual(['u-lead-a', 'u-teach-a']);
    expect((await store.listUsers({ schoolId: 'sch', role: 'school_admin' })).map((u) => u.id)).toEqual(['u-admin']);
    expect(await store.findUserByUsername('nobody')).toBeUndefined();
  });

  it('saves templates and calendars idempotently and refuses changed content under an existing version', async () => {
    await seedReference(store);
    const v1 = TEMPLATE_V1;
    expect(await store.saveTemplate(v1)).toBe('unchanged');
    const changed = TEMPLATE_BODY.replace('"tasks":[]', '"tasks":[1]');
    await expect(store.saveTemplate({ ...v1, body: changed, sha256: sha(changed) })).rejects.toThrow(
      /template checklist-2024-autumn version 1 already exists with different content/,
    );
    expect(await store.saveTemplate({ ...v1, version: 2, body: changed, sha256: sha(changed) })).toBe('inserted');
    expect(await store.getTemplate('checklist-2024-autumn')).toMatchObject({ version: 2, body: changed });
    expect(await store.getTemplate('checklist-2024-autumn', 1)).toMatchObject({ version: 1, body: TEMPLATE_BODY });
    expect(await store.getTemplate('missing')).toBeUndefined();

    const cal = CALENDAR;
    expect(await store.saveCalendar(cal)).toBe('unchanged');
    expect(await store.saveCalendar({ ...cal, body: '{}', sha256: sha('{}') })).toBe('updated');
    expect(await store.getCalendar('cal-2024-autumn')).toMatchObject({ body: '{}' });
  });

  it('keeps semester status out of upserts and sets it with setSemesterStatus', async () => {
    await seedReference(store);
    await store.setSemesterStatus('sem', 'running', { workflowId: 'semester-sem', startedAt: T0 });
    await store.upsertSemester({ ...SEMESTER, status: 'planned' });
    expect(await store.getSemester('sem')).toMatchObject({
      status: 'running',
      workflowId: 'semester-sem',
      startedAt: T0,
    });
    expect((await store.listSemesters('sch')).map((s) => s.id)).toEqual(['sem']);
    await expect(store.setSemesterStatus('nope', 'closed')).rejects.toThrow(/semester nope not found/);
  });

  it('returns bigint instants as the numbers written', async () => {
    await seedReference(store);
    const big = T0 + 123; // > 2^31
    await store.upsertPlannedTasks([plannedTask('t-big', { openAt: big, dueAt: big + DAY, updatedAt: big })]);
    await store.applyTaskTransition(
      transition('t-big', 'k-big', { status: 'completed', completedAt: big + 5, completedBy: 'u-teach-a' }, big + 6),
    );

    const task = await store.getTaskInstance('t-big');
    expect(task).toMatchObject({
      openAt: big,
      dueAt: big + DAY,
      completedAt: big + 5,
      updatedAt: big + 6,
      late: false,
      escalationLevel: 0,
    });
    for (const v of [task?.openAt, task?.dueAt, task?.completedAt, task?.updatedAt]) expect(typeof v).toBe('number');
    const audit = await store.listAudit({ subjectType: 'task', subjectId: 't-big' });
    expect(audit.map((a) => [a.at, typeof a.id])).toEqual([[big + 6, 'number']]);
    const inbox = await store.listNotifications('u-teach-a');
    expect(inbox.map((n) => n.createdAt)).toEqual([big + 6]);
    // pg's count(*) is int8 too: the parser turns it into a number
    expect(await db('task_instances').count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('applies a task transition once: a retry changes nothing and duplicates no notification', async () => {
    await seedReference(store);
    await store.upsertPlannedTasks([plannedTask('t1')]);
    const t = transition('t1', 'wf-t1:overdue', { status: 'overdue', escalationLevel: 1 });

    expect(await store.applyTaskTransition(t)).toEqual({ applied: true });
    expect(await store.applyTaskTransition({ ...t, patch: { status: 'waived' } })).toEqual({ applied: false });

    expect(await store.getTaskInstance('t1')).toMatchObject({
      status: 'overdue',
      escalationLevel: 1,
      updatedAt: T0 + DAY,
    });
    const audit = await store.listAudit({ subjectType: 'task', subjectId: 't1' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      eventKey: 'wf-t1:overdue',
      action: 'overdue',
      actor: 'timer',
      details: { patch: { status: 'overdue', escalationLevel: 1 } },
    });
    expect(await db('notifications').count({ n: '*' })).toEqual([{ n: 2 }]);
    expect(await store.listNotifications('u-lead-a')).toMatchObject([
      { kind: 'escalation_l1', subjectType: 'task', subjectId: 't1', readAt: null },
    ]);
  });

  it('keeps a closed task closed when an older timer step is written after the completion', async () => {
    // the workflow records "overdue" and then accepts a completion; the two activities run at once
    // and the overdue write may land last: it must not put the task back to overdue
    await seedReference(store);
    await store.upsertPlannedTasks([plannedTask('t1')]);
    await store.applyTaskTransition(
      transition(
        't1',
        'wf-t1:completed',
        { status: 'completed', completedAt: T0 + DAY + 5, completedBy: 'u-teach-a', late: true, escalationLevel: 1 },
        T0 + DAY + 5,
      ),
    );
    await store.applyTaskTransition(
      transition(
        't1',
        'wf-t1:overdue',
        { status: 'overdue', escalationLevel: 1, completedAt: null, completedBy: null, late: false },
        T0 + DAY,
      ),
    );
    expect(await store.getTaskInstance('t1')).toMatchObject({
      status: 'completed',
      completedAt: T0 + DAY + 5,
      completedBy: 'u-teach-a',
      late: true,
      escalationLevel: 1,
    });
    // the timeline still has both events, in time order
    expect((await store.listAudit({ subjectType: 'task', subjectId: 't1' })).map((a) => a.action)).toEqual([
      'overdue',
      'completed',
    ]);
  });

  it('rolls a transition back when its task does not exist', async () => {
    await seedReference(store);
    await expect(store.applyTaskTransition(transition('ghost', 'k-ghost', { status: 'open' }))).rejects.toThrow(
      /task instance ghost not found/,
    );
    expect(await store.listAudit({ subjectType: 'task', subjectId: 'ghost' })).toEqual([]);
    expect(
      await store.appendAudit({
        eventKey: 'k-ghost',
        subjectType: 'task',
        subjectId: 'ghost',
        action: 'x',
        actor: 'system',
        at: T0,
      }),
    ).toBe(true);
  });

  it('applies exactly one of several concurrent identical transitions, across connections', async () => {
    await seedReference(store);
    await store.upsertPlannedTasks([plannedTask('t1')]);
    const otherDb = createKnex(opts); // a second pool: real contention on both drivers
    try {
      const other = createStore(otherDb);
      const t = transition('t1', 'wf-t1:open', { status: 'open' });
      const results = await Promise.all([store, other, store, other].map((s) => s.applyTaskTransition(t)));
      expect(results.filter((r) => r.applied)).toHaveLength(1);
    } finally {
      await otherDb.destroy();
    }
    expect(await store.listAudit({ subjectType: 'task', subjectId: 't1' })).toHaveLength(1);
    expect(await db('notifications').count({ n: '*' })).toEqual([{ n: 2 }]);
  });

  it('appends audit events idempotently and lists them by time', async () => {
    const subject = { subjectType: 'user', subjectId: 'u1' };
    const e = { eventKey: 'user:u1:created', ...subject, action: 'created', actor: 'system', at: T0 + 2 };
    expect(await store.appendAudit(e)).toBe(true);
    expect(await store.appendAudit(e)).toBe(false);
    expect(await store.appendAudit({ ...e, eventKey: 'user:u1:renamed', action: 'renamed', at: T0 + 1 })).toBe(true);
    expect((await store.listAudit({ subjectType: 'user', subjectId: 'u1' })).map((a) => [a.action, a.details])).toEqual(
      [
        ['renamed', null],
        ['created', null],
      ],
    );
  });

  it('re-plans without clobbering tasks that have moved on', async () => {
    await seedReference(store);
    const plan = Array.from({ length: 120 }, (_, i) =>
      plannedTask(`t${String(i).padStart(3, '0')}`, { dueAt: T0 + i * HOUR }),
    ); // > one chunk
    await store.upsertPlannedTasks(plan);
    await store.applyTaskTransition(
      transition('t000', 'k-done', {
        status: 'completed',
        completedAt: T0 + 1,
        completedBy: 'u-teach-a',
        note: '已完成',
      }),
    );
    await store.applyTaskTransition(transition('t001', 'k-open', { status: 'open' }));

    await store.upsertPlannedTasks(
      plan.map((p) => ({ ...p, titleZh: '新标题', dueAt: p.dueAt + DAY, updatedAt: T0 + 9 })),
    );

    expect(await store.getTaskInstance('t000')).toMatchObject({
      status: 'completed',
      completedAt: T0 + 1,
      completedBy: 'u-teach-a',
      note: '已完成',
      titleZh: '任务 t000',
      dueAt: T0,
    });
    expect(await store.getTaskInstance('t001')).toMatchObject({
      status: 'open',
      titleZh: '任务 t001',
      dueAt: T0 + HOUR,
    });
    expect(await store.getTaskInstance('t119')).toMatchObject({
      status: 'planned',
      titleZh: '新标题',
      dueAt: T0 + 119 * HOUR + DAY,
      updatedAt: T0 + 9,
    });
    expect(await store.listTaskInstances({ semesterId: 'sem' })).toHaveLength(120);
  });

  it('filters task instances and orders them by due time', async () => {
    await seedReference(store);
    await store.upsertPlannedTasks([
      plannedTask('x3', { dueAt: T0 + 3 * DAY }),
      plannedTask('x1', { dueAt: T0 + DAY }),
      plannedTask('x2', { dueAt: T0 + DAY, collegeId: 'col-b', month: '2024-12' }),
    ]);
    await store.applyTaskTransition(transition('x3', 'k-x3', { status: 'open' }));
    expect((await store.listTaskInstances()).map((t) => t.id)).toEqual(['x1', 'x2', 'x3']);
    expect((await store.listTaskInstances({ collegeId: 'col-a' })).map((t) => t.id)).toEqual(['x1', 'x3']);
    expect((await store.listTaskInstances({ status: ['open', 'overdue'] })).map((t) => t.id)).toEqual(['x3']);
    expect((await store.listTaskInstances({ month: '2024-12' })).map((t) => t.id)).toEqual(['x2']);
    expect(await store.getTaskInstance('x1')).toMatchObject({ occurrence: null, late: false, status: 'planned' });
  });

  it('lists and marks notifications per recipient', async () => {
    await seedReference(store);
    await store.upsertPlannedTasks([plannedTask('t1')]);
    await store.applyTaskTransition(transition('t1', 'k1', { remindersSent: 1 }, T0 + 1));
    await store.applyTaskTransition(transition('t1', 'k2', { remindersSent: 2 }, T0 + 2));
    const inbox = await store.listNotifications('u-teach-a');
    expect(inbox.map((n) => n.eventKey)).toEqual(['k2', 'k1']); // newest first
    const first = inbox[1]!.id; // k1

    expect(await store.markNotificationRead(first, 'u-lead-a')).toBe(false); // not theirs
    expect(await store.markNotificationRead(first, 'u-teach-a', T0 + 3)).toBe(true);
    expect(await store.markNotificationRead(first, 'u-teach-a')).toBe(false); // already read
    expect((await store.listNotifications('u-teach-a', { unreadOnly: true })).map((n) => n.eventKey)).toEqual(['k2']);
    expect((await store.listNotifications('u-teach-a')).map((n) => n.readAt)).toEqual([null, T0 + 3]);
  });

  it('counts compliance per college and month', async () => {
    await seedReference(store);
    await store.upsertSemester({ ...SEMESTER, id: 'sem-other' });
    const now = Date.UTC(2025, 0, 15);
    const past = now - DAY;
    const future = now + DAY;
    const dec = { month: '2024-12', dueAt: past };
    const jan = { month: '2025-01' };
    await store.upsertPlannedTasks([
      plannedTask('a1', dec), // completed on time
      plannedTask('a2', dec), // completed late, escalated
      plannedTask('a3', dec), // overdue, escalated to level 2
      plannedTask('a4', dec), // waived after escalation
      plannedTask('a5', { ...jan, dueAt: future }), // open
      plannedTask('a6', { ...jan, dueAt: future }), // still planned, not yet due: open
      plannedTask('a7', { ...jan, dueAt: now }), // open, due now, workflow not caught up: overdue
      plannedTask('b1', { ...jan, dueAt: past, collegeId: 'col-b' }), // completed on time
      plannedTask('b2', { ...jan, dueAt: future, collegeId: 'col-b' }), // planned: open
      plannedTask('z1', { ...jan, dueAt: past, semesterId: 'sem-other' }), // another semester
    ]);
    const apply = (id: string, patch: Partial<TaskInstanceRow>) =>
      store.applyTaskTransition(transition(id, `k-${id}`, patch));
    await apply('a1', { status: 'completed', late: false, completedAt: past - HOUR, completedBy: 'u-teach-a' });
    await apply('a2', {
      status: 'completed',
      late: true,
      escalationLevel: 1,
      completedAt: now - HOUR,
      completedBy: 'u-teach-a',
    });
    await apply('a3', { status: 'overdue', escalationLevel: 2 });
    await apply('a4', { status: 'waived', escalationLevel: 1, waivedReason: '活动取消' });
    await apply('a5', { status: 'open' });
    await apply('a7', { status: 'open' });
    await apply('b1', { status: 'completed', completedAt: past - HOUR, completedBy: 'u-teach-a' });

    expect(await store.complianceByCollegeMonth('sem', now)).toEqual([
      {
        collegeId: 'col-a',
        name: '文学院',
        month: '2024-12',
        planned: 4,
        onTime: 1,
        late: 1,
        open: 0,
        overdue: 1,
        waived: 1,
        escalated: 3,
      },
      {
        collegeId: 'col-a',
        name: '文学院',
        month: '2025-01',
        planned: 3,
        onTime: 0,
        late: 0,
        open: 2,
        overdue: 1,
        waived: 0,
        escalated: 0,
      },
      {
        collegeId: 'col-b',
        name: '理学院',
        month: '2025-01',
        planned: 2,
        onTime: 1,
        late: 0,
        open: 1,
        overdue: 0,
        waived: 0,
        escalated: 0,
      },
    ]);
    expect(await store.complianceByCollegeMonth('sem-none', now)).toEqual([]);
  });
});
