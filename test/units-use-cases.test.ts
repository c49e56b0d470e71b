/**
 * The class and dorm levels' use cases, called with no HTTP (issue 16 part 2): the roster import and
 * its errors (named by line; a failed import stores nothing), the reporter's own-data rule, and the
 * training rule of the committee members' training task.
 */
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadCalendarFile, loadTemplateFile } from '../domain/load';
import { planSemester } from '../domain/planner';
import { trainingDutyProblem } from '../server/features/tasks/use-cases';
import {
  fileConcern,
  fileNothingUnusual,
  importRoster,
  listConcerns,
  markClassTrained,
  myReports,
  reporterHome,
} from '../server/features/units/use-cases';
import { ImportError } from '../server/platform/csv';
import { inTransaction } from '../db/knex';
import { purgeStudent, studentWorkflowIds } from '../db/repositories/archive-purge';
import { ensureStudentKey, getStudentKey } from '../db/repositories/student-keys';
import { demoDb, type DemoDb } from './helpers/demo-db';
import { importDemoRoster, openWeek, ROSTER_CSV, seedReporters, sessionOf } from './helpers/units';

const ROOT = path.resolve(__dirname, '..');
const SEMESTER = 'units-2024-autumn';
let fx: DemoDb;
const deps = () => ({ store: fx.store, knex: fx.db, taskQueue: 'unused', now: () => NOW });
const NOW = Date.UTC(2024, 8, 3, 2); // Tuesday of week 1, 10:00 in Shanghai

beforeEach(async () => {
  fx = await demoDb('units', { semesterId: SEMESTER });
  await seedReporters(fx.store);
});
afterEach(async () => {
  await fx.close();
});

const count = async (table: string) => Number((await fx.db(table).count({ n: '*' }))[0]!.n);
const admin = () => sessionOf(fx.store, 'admin');
async function importError(csv: string): Promise<string[]> {
  const e = await importRoster(deps(), await admin(), Buffer.from(csv, 'utf8')).catch((err: unknown) => err);
  expect(e).toBeInstanceOf(ImportError);
  return (e as ImportError).problems;
}

describe('roster import', () => {
  test('When the school imports its roster, then classes and dormitories hold their students, reporters and teachers', async () => {
    const result = await importRoster(deps(), await admin(), Buffer.from(ROSTER_CSV, 'utf8'));
    expect(result).toEqual({ units: 4, students: 7, newStudents: 5, reporters: 4, teachers: 2 });
    const units = await fx.db('units').orderBy('code').select('kind', 'code', 'college_id');
    expect(units).toEqual([
      { kind: 'dorm', code: 'D3-201', college_id: 'literature' },
      { kind: 'class', code: 'HY2401', college_id: 'literature' },
      { kind: 'class', code: 'HY2402', college_id: 'literature' },
      { kind: 'class', code: 'SX2401', college_id: 'science' },
    ]);
    // importing the same roster again changes nothing
    await importRoster(deps(), await admin(), Buffer.from(ROSTER_CSV, 'utf8'));
    expect([await count('units'), await count('unit_students'), await count('students')]).toEqual([4, 7, 5]);
  });

  test('When the roster is an xlsx workbook with Chinese headings, then it is imported as the CSV is', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名册');
    for (const line of ROSTER_CSV.split('\n')) ws.addRow(line.split(','));
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    expect((await importRoster(deps(), await admin(), bytes)).units).toBe(4);
  });

  test('When a line is malformed, names an unknown college or repeats a row, then every problem is named by its line and nothing is stored', async () => {
    await importDemoRoster(deps());
    const before = [
      await count('units'),
      await count('unit_students'),
      await count('unit_reporters'),
      await count('students'),
    ];
    const problems = await importError(
      [
        '类型,编号,名称,学院,学号,姓名,用户名,职务',
        '班级,NEW1,新班,文学院,2024901,新生一,,',
        '年级,X1,某,文学院,2024902,某某,,',
        '班级,X2,某班,物理学院,2024903,某某,,',
        '班级,NEW1,新班,文学院,2024901,新生一,,',
        '班级,NEW1,新班,文学院,2024904,,,',
        '班级,NEW1,新班,文学院,,,lit-dorm-officer,心理委员',
        '班级,NEW1,新班,文学院,,,nobody,心理委员',
      ].join('\n'),
    );
    expect(problems).toEqual([
      '第 3 行: unknown kind "年级" (班级 or 宿舍)',
      '第 4 行: unknown college "物理学院"',
      '第 5 行: student 2024901 appears again (first on line 2): a student is in one class',
      '第 6 行: student 2024904 is new to the school: give the 姓名',
      '第 7 行: lit-dorm-officer has the role dorm_info_officer; a class reporter needs the role class_psych_member',
      '第 8 行: unknown user "nobody"',
    ]);
    expect([
      await count('units'),
      await count('unit_students'),
      await count('unit_reporters'),
      await count('students'),
    ]).toEqual(before);
  });

  test('When a column is missing or a reporter would have two units, then the import is refused with the reason', async () => {
    expect(await importError('类型,编号,学院\n班级,A,文学院')).toEqual(['第 1 行: missing column "名称"']);
    await importDemoRoster(deps());
    const problems = await importError(
      ['类型,编号,名称,学院,学号,姓名,用户名,职务', '班级,HY2499,汉语言2499班,文学院,,,lit-psych-member,心理委员'].join(
        '\n',
      ),
    );
    expect(problems).toEqual([
      '第 2 行: lit-psych-member reports for another unit already: import that unit without them too',
    ]);
    const science = await importError(
      ['类型,编号,名称,学院,学号,姓名,用户名,职务', '班级,HY2401,汉语言2401班,文学院,2024101,陈一,,'].join('\n'),
    );
    expect(science).toEqual(['第 2 行: student 2024101 is registered with another college (science)']);
  });

  test('When someone other than the school administration imports, then it is refused', async () => {
    const counsellor = await sessionOf(fx.store, 'literature-counsellor');
    await expect(importRoster(deps(), counsellor, Buffer.from(ROSTER_CSV))).rejects.toThrow(
      /only the school administration/,
    );
  });
});

describe("the reporter's own reports", () => {
  beforeEach(async () => {
    await importDemoRoster(deps());
    await openWeek(deps(), SEMESTER, 'literature', { weekNo: 1, openAt: NOW - 3_600_000, dueAt: NOW + 3 * 86_400_000 });
  });

  test('When a reporter files "nothing unusual", then the week is filed once, and only they see the report', async () => {
    const me = await sessionOf(fx.store, 'lit-psych-member');
    const first = await fileNothingUnusual(deps(), me);
    expect(await fileNothingUnusual(deps(), me)).toEqual({ reportId: first.reportId, already: true });
    const home = await reporterHome(deps(), me);
    expect([home.unit?.code, home.week?.status, home.filedThisWeek]).toEqual(['HY2401', 'filed', true]);
    expect(home.classmates.map((s) => s.name)).toEqual(['张一', '张二', '王心委']);
    expect((await myReports(deps(), me)).map((r) => r.id)).toEqual([first.reportId]);
    const other = await sessionOf(fx.store, 'lit-psych-member-2');
    expect(await myReports(deps(), other)).toEqual([]);
    expect((await reporterHome(deps(), other)).week?.status).toBe('open');
  });

  test('When a reporter files a concern, then it names a classmate of their own unit only, and the counsellor has it in the inbox at once', async () => {
    const me = await sessionOf(fx.store, 'lit-psych-member');
    const home = await reporterHome(deps(), me);
    const classmate = home.classmates.find((s) => s.name === '张二')!;
    const outsider = (await fx.db('students').where({ student_no: '2024011' }).first('id')) as { id: string };
    await expect(
      fileConcern(deps(), me, { studentId: outsider.id, category: 'mood', note: '最近情绪低落' }),
    ).rejects.toThrow(/not in your unit/);
    await expect(fileConcern(deps(), me, { studentId: classmate.id, category: 'mood', note: ' ' })).rejects.toThrow(
      /describe what you noticed/,
    );
    const { reportId, respondBy } = await fileConcern(deps(), me, {
      studentId: classmate.id,
      category: 'mood',
      note: '连续三天不去上课',
    });
    expect(respondBy).toBe(NOW + 24 * 3_600_000);
    const inbox = await fx.store.listNotifications('literature-counsellor');
    expect(inbox.map((n) => [n.kind, n.subjectId])).toEqual([['unit_concern', reportId]]);
    // the notification names the class, never the student
    expect(`${inbox[0]!.title} ${inbox[0]!.body}`).not.toContain('张二');
    // another reporter sees nothing of it; the reporter may not read the college's concerns
    expect(await myReports(deps(), await sessionOf(fx.store, 'lit-psych-member-2'))).toEqual([]);
    await expect(listConcerns(deps(), me, 'literature')).rejects.toThrow(/care staff/);
    const counsellor = await sessionOf(fx.store, 'literature-counsellor');
    expect((await listConcerns(deps(), counsellor, 'literature')).map((c) => c.studentName)).toEqual(['张二']);
    await expect(fileNothingUnusual(deps(), counsellor)).rejects.toThrow(/for class and dorm reporters/);
  });

  test('When the student a concern named is purged, then the concern keeps its filing but loses the student and the note, and the student’s payload key is destroyed', async () => {
    const me = await sessionOf(fx.store, 'lit-psych-member');
    const classmate = (await reporterHome(deps(), me)).classmates.find((s) => s.name === '张二')!;
    const { reportId } = await fileConcern(deps(), me, {
      studentId: classmate.id,
      category: 'mood',
      note: '张二连续三天不去上课',
    });
    expect(await studentWorkflowIds(fx.db, classmate.id)).toEqual([`unit-concern.${reportId}`]);
    await ensureStudentKey(fx.db, classmate.id, { masterKeyId: 'k1', salt: Buffer.alloc(32, 7), at: NOW });
    const counts = await inTransaction(fx.db, (trx) =>
      purgeStudent(trx, { studentId: classmate.id, by: 'test', at: NOW }),
    );
    expect(counts).toMatchObject({ unit_reports: 1, student_payload_keys: 1, students: 1 });
    const report = (await fx.db('unit_reports').where({ id: reportId }).first()) as Record<string, unknown>;
    expect([report.kind, report.student_id, report.note, report.reporter_user_id]).toEqual([
      'concern',
      null,
      null,
      me.id,
    ]);
    expect(await getStudentKey(fx.db, classmate.id)).toBeNull();
  });
});

describe('training of the committee members, per class', () => {
  test('When the training task is completed, then it is refused until every class of the college is marked trained', async () => {
    await importDemoRoster(deps());
    const plan = planSemester({
      semesterId: SEMESTER,
      template: loadTemplateFile(path.join(ROOT, 'checklists', 'runxin-2024-autumn.json')).data,
      calendar: loadCalendarFile(path.join(ROOT, 'calendars', '2024-autumn.json')).data,
      colleges: [{ id: 'literature' }],
    });
    await fx.store.upsertPlannedTasks(plan.tasks.map(({ remindAts: _r, level2At: _l, ...t }) => t));
    const rows = await fx.store.listTaskInstances({ semesterId: SEMESTER, collegeId: 'literature' });
    const training = rows.find((r) => r.templateTaskId === '2024-10-05-committee-member-training')!;
    const other = rows.find((r) => r.templateTaskId !== training.templateTaskId)!;
    expect(await trainingDutyProblem(fx.store, other)).toBeNull();
    expect(await trainingDutyProblem(fx.store, training)).toMatch(
      /2 class\(es\) are not yet marked trained: 汉语言2401班, 汉语言2402班/,
    );

    const units = await fx.db('units').where({ college_id: 'literature', kind: 'class' }).orderBy('code').pluck('id');
    const psych = await sessionOf(fx.store, 'literature-psych-counsellor');
    await expect(
      markClassTrained(deps(), await sessionOf(fx.store, 'literature-counsellor'), SEMESTER, units[0]),
    ).rejects.toThrow(/psychology counsellor or leader/);
    await expect(
      markClassTrained(deps(), await sessionOf(fx.store, 'science-psych-counsellor'), SEMESTER, units[0]),
    ).rejects.toThrow(/psychology counsellor or leader/);
    const after = await markClassTrained(deps(), psych, SEMESTER, units[0], { note: '9 月 20 日集中培训' });
    expect(after.map((c) => [c.code, c.trained, c.trainedBy])).toEqual([
      ['HY2401', true, 'literature-psych-counsellor'],
      ['HY2402', false, null],
    ]);
    expect(await trainingDutyProblem(fx.store, training)).toMatch(/1 class\(es\).*汉语言2402班/);
    await markClassTrained(deps(), psych, SEMESTER, units[1]);
    expect(await trainingDutyProblem(fx.store, training)).toBeNull();
  });
});
