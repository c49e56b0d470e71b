/** bench/compliance.ts's read model (see compliance.ts): N colleges × the real plan, with a realistic status mix. */
import type { Knex } from 'knex';
import { migrateLatest } from '../db/knex';
import { createStore } from '../db/store';
import { planSemester, type PlannedTask } from '../domain/planner';
import { createSemester } from '../server/features/semesters/use-cases/setup';
import { ADMIN, collegeCount, DAY, NOW, SCHOOL, SEMESTER } from './compliance-args';
import { seeded } from './lib';
import { registerAutumn, upsertBenchSchool } from './services-school';

/** The row of a task as its workflows would have left it by NOW. */
function withProgress(t: PlannedTask, random: () => number): Record<string, unknown> {
  const r = random();
  const row: Record<string, unknown> = {
    id: t.id,
    semester_id: t.semesterId,
    college_id: t.collegeId,
    template_task_id: t.templateTaskId,
    occurrence: t.occurrence,
    month: t.month,
    kind: t.kind,
    owner_role: t.ownerRole,
    title_zh: t.titleZh,
    title_en: t.titleEn,
    open_at: t.openAt,
    due_at: t.dueAt,
    status: t.openAt > NOW ? 'planned' : 'open',
    escalation_level: 0,
    reminders_sent: 0,
    completed_at: null,
    completed_by: null,
    late: false,
    waived_reason: null,
    updated_at: NOW,
  };
  const complete = (at: number, late: boolean) =>
    Object.assign(row, {
      status: 'completed',
      completed_at: Math.round(at),
      completed_by: `${t.collegeId}-staff`,
      late,
    });
  if (t.dueAt > NOW) {
    if (t.openAt <= NOW && r < 0.3) complete(t.openAt + (NOW - t.openAt) * random(), false);
    return row;
  }
  row.reminders_sent = 2;
  if (r < 0.6)
    complete(t.dueAt - DAY * random(), false); // on time
  else if (r < 0.75)
    Object.assign(complete(t.dueAt + 3 * DAY * random(), true), { escalation_level: 1 }); // late
  else if (r < 0.8) Object.assign(row, { status: 'waived', waived_reason: '调休' });
  else Object.assign(row, { status: 'overdue', escalation_level: t.level2At <= NOW ? 2 : 1 }); // still open
  return row;
}

/** e.g. "completed 4321 (late 800), overdue 900 (level 2: 850), waived 300, open 2000, planned 3279" */
function statusMix(rows: Array<Record<string, unknown>>): string {
  const n = (f: (r: Record<string, unknown>) => boolean) => rows.filter(f).length;
  const is = (s: string) => (r: Record<string, unknown>) => r.status === s;
  return (
    `completed ${n(is('completed'))} (late ${n((r) => r.late === true)}), overdue ${n(is('overdue'))} ` +
    `(level 2: ${n((r) => r.escalation_level === 2)}), waived ${n(is('waived'))}, open ${n(is('open'))}, planned ${n(is('planned'))}`
  );
}

export async function build(db: Knex): Promise<{ rows: number; mix: string }> {
  await migrateLatest(db);
  const store = createStore(db);
  await upsertBenchSchool(store, ADMIN.username);
  const colleges = Array.from({ length: collegeCount }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    return {
      id: `college-${n}`,
      school_id: SCHOOL,
      name: `第${n}学院`,
      name_en: `College ${n}`,
      sort_order: i + 1,
      active: true,
      created_at: NOW,
    };
  });
  await db.batchInsert('colleges', colleges, 100);
  const { template, calendar } = await registerAutumn(store);
  await createSemester(store, {
    id: SEMESTER,
    schoolId: SCHOOL,
    templateId: template.id,
    templateVersion: template.version,
    calendarId: calendar.id,
  });
  const plan = planSemester({ semesterId: SEMESTER, template, calendar, colleges });
  const random = seeded(20241101);
  const rows = plan.tasks.map((t) => withProgress(t, random));
  await db.batchInsert('task_instances', rows, 40); // 40 rows × 22 columns stays under SQLite's variable limit
  if (db.client.config.client === 'pg') await db.raw('analyze task_instances');
  else await db.raw('analyze');
  return { rows: rows.length, mix: statusMix(rows) };
}
