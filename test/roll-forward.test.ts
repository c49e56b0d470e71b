/**
 * Roll forward (issue 12 part 4): the 2024 autumn semester rolled onto the 2025 autumn calendar,
 * task by task, with why each date moved and the flags (Mid-Autumn merged into National Day in
 * 2025); the CLI and the web give the same plan; the web pages create and start the semester;
 * an uploaded calendar is stored, one that clashes with a stored id is refused.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadCalendarFile, loadTemplateFile } from '../domain/load';
import { rollForwardRows, type RollForwardPreview } from '../server/features/semesters/use-cases/roll-forward-rows';
import { login, recordingClient, webFixture, type WebFixture } from './helpers/web';

const ROOT = path.resolve(__dirname, '..');
const run = promisify(execFile);
const started: string[] = [];
const fakeClient = recordingClient((opts) => started.push(opts.workflowId));

let fx: WebFixture;
/** The CLI's roll forward of the fixture's semester (scripts/semester.ts) on the fixture's SQLite file, never a DATABASE_URL. */
const rollForwardCli = (args: string[]) => {
  const { DATABASE_URL: _pg, ...rest } = process.env;
  const semester = path.join(ROOT, 'scripts', 'semester.ts');
  return run(process.execPath, ['--import', 'tsx', semester, 'roll-forward', '--from', fx.semesterId, ...args], {
    env: { ...rest, SQLITE_FILE: path.join(fx.dir, 'app.sqlite'), SCHOOL_ID: 'demo-school' },
    cwd: ROOT,
    timeout: 60_000,
  });
};
beforeAll(async () => {
  fx = await webFixture({ client: fakeClient }, { plan: false });
  const text = fs.readFileSync(path.join(ROOT, 'calendars', '2025-autumn.json'), 'utf8');
  const { storeNewCalendar } = await import('../server/features/semesters/use-cases/roll-forward');
  await storeNewCalendar(fx.store, '2025-autumn.json', text);
});
afterAll(async () => {
  await fx?.close();
});

describe('rollForwardRows: 2024 autumn checklist, 2024 autumn → 2025 autumn', () => {
  const r = rollForwardRows({
    oldTemplate: loadTemplateFile(path.join(ROOT, 'checklists', 'runxin-2024-autumn.json')).data,
    oldCalendar: loadCalendarFile(path.join(ROOT, 'calendars', '2024-autumn.json')).data,
    newTemplate: loadTemplateFile(path.join(ROOT, 'checklists', 'runxin-2024-autumn.json')).data,
    newCalendar: loadCalendarFile(path.join(ROOT, 'calendars', '2025-autumn.json')).data,
  });
  const row = (task: string, occ: string | null = null) =>
    r.rows.find((x) => x.templateTaskId === task && x.occurrence === occ)!;

  test('When a month task is rolled, then it keeps its month and says so; week tasks keep their week', () => {
    // September's last working day: Mon 30 Sept 2024 → Tue 30 Sept 2025
    expect(row('2024-09-02-dorm-visits')).toMatchObject({
      old: { due: '2024-09-30 17:00', weekday: 1 },
      new: { due: '2025-09-30 17:00', weekday: 2 },
      why: { code: 'same-month' },
      flags: [],
    });
    // week 5 of 2025 autumn (29 Sept – 5 Oct): the last working day before National Day is Tue 30 Sept; make-up Sun 28 Sept is a working day
    expect(row('2024-09-06-weekly-review', 'week-05')).toMatchObject({
      new: { due: '2025-09-30 17:00' },
      why: { code: 'same-week' },
    });
    // week 6 of 2025 (6–12 Oct): National Day runs to 8 Oct; Sat 11 Oct is a make-up working day and the week's last working day
    const w6 = row('2024-09-06-weekly-review', 'week-06');
    expect(w6.new?.due).toBe('2025-10-11 17:00');
    expect(w6.why.zh).toContain('2025-10-11 是调休上班日');
  });

  test('When Mid-Autumn falls inside National Day (2025), then its reminder is dropped and flagged, and the National Day reminder carries the flag too', () => {
    const mid = row('2024-09-08-holiday-safety-reminder', 'mid-autumn');
    expect(mid).toMatchObject({ old: { due: '2024-09-14 17:00' }, new: null, why: { code: 'dropped' } });
    expect(mid.flags.map((f) => f.code)).toEqual(['holiday-merged']);
    expect(mid.flags[0]!.zh).toMatch(/^本学期中秋节在国庆节、中秋节（2025-10-01–2025-10-08）/);
    const nd = row('2024-09-08-holiday-safety-reminder', 'national-day');
    expect(nd).toMatchObject({
      old: { due: '2024-09-30 17:00' },
      new: { due: '2025-09-30 17:00' },
      why: { code: 'holiday-moved' },
    });
    expect(nd.why.zh).toBe('国庆节从 2024-10-01 变为 2025-10-01，节前最后一个工作日');
    expect(nd.flags.map((f) => f.code)).toEqual(['holiday-merged']);
    expect(r.adjustments).toHaveLength(1);
  });

  test('When the exam weeks move, then the exam-week rows say from when to when; no due date falls on a day off', () => {
    expect(row('2025-01-03-exam-week-safety', 'exam-1')).toMatchObject({
      old: { due: '2025-01-10 17:00' },
      new: { due: '2026-01-09 17:00' },
      why: { code: 'exam-weeks-moved', zh: '第 1 个考试周从 2025-01-06 变为 2026-01-05，考试周最后一个工作日' },
    });
    expect(r.rows.flatMap((x) => x.flags).filter((f) => f.code === 'day-off' && f.en.startsWith('due'))).toEqual([]);
    // every planned occurrence of both years is in the table once
    expect(new Set(r.rows.map((x) => `${x.templateTaskId}/${x.occurrence}`)).size).toBe(r.rows.length);
  });
});

describe('rollForwardRows: a date on a day off', () => {
  test('When the new calendar makes a day off of the day a reminder opens, then that row is flagged naming the day', () => {
    const template = loadTemplateFile(path.join(ROOT, 'checklists', 'runxin-2024-autumn.json')).data;
    const newCalendar = loadCalendarFile(path.join(ROOT, 'calendars', '2025-autumn.json')).data;
    // the National Day reminder is due Tue 30 Sept 2025 and opens 7 days before: Tue 23 Sept, a sports day off here
    newCalendar.holidays.push({
      id: 'sports-day',
      name: { zh: '运动会', en: 'Sports day' },
      start: '2025-09-23',
      end: '2025-09-23',
      dayOff: true,
    });
    const r = rollForwardRows({
      oldTemplate: template,
      oldCalendar: loadCalendarFile(path.join(ROOT, 'calendars', '2024-autumn.json')).data,
      newTemplate: template,
      newCalendar,
    });
    const flagged = r.rows.filter((x) => x.flags.some((f) => f.code === 'day-off'));
    expect(flagged.map((x) => `${x.templateTaskId}/${x.occurrence}`)).toEqual([
      '2024-09-08-holiday-safety-reminder/national-day',
    ]);
    expect(flagged[0]!.flags.find((f) => f.code === 'day-off')!.zh).toBe('开始日 2025-09-23（星期二）是休息日');
  });
});

describe('CLI and web', () => {
  test('When the CLI and the web page roll the same semester onto the same calendar, then they give the same plan; the web creates and starts the semester', async () => {
    const admin = await login(fx.base, 'admin');
    const api = (await (
      await admin.fetch(`/api/roll-forward?from=${fx.semesterId}&calendar=2025-autumn`)
    ).json()) as RollForwardPreview;
    const cli = await rollForwardCli(['--calendar', '2025-autumn', '--json', '--dry-run']);
    const fromCli = JSON.parse(cli.stdout) as RollForwardPreview;
    expect(api.rows.length).toBeGreaterThan(50);
    expect(fromCli).toEqual(api);

    // the page: form → side-by-side table with flags → create and start
    const form = await (await admin.fetch('/admin/roll-forward')).text();
    expect(form).toContain(`<option value="${fx.semesterId}">`);
    const f = new FormData();
    f.append('from', fx.semesterId);
    f.append('calendar', '2025-autumn');
    const posted = await admin.fetch('/admin/roll-forward', { method: 'POST', body: f });
    expect(posted.status).toBe(303);
    const previewUrl = posted.headers.get('location')!;
    const preview = await (await admin.fetch(previewUrl)).text();
    expect(preview).toContain('新旧日期对照');
    expect(preview).toContain(`共 ${api.rows.length} 项，其中 ${api.flagged} 项需要确认。`);
    expect(preview).toMatch(/data-occurrence="mid-autumn" data-why="dropped" class="flagged"/);
    expect(preview).toContain('data-flag="holiday-merged"');
    expect(preview).toContain('做好假期安全提醒（中秋节前）');
    const create = await admin.fetch('/admin/roll-forward/create', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        from: fx.semesterId,
        calendar: '2025-autumn',
        template: `${api.to.templateId}@${api.to.templateVersion}`,
        id: 'rf-2025-autumn',
        action: 'start',
      }).toString(),
    });
    expect(create.status).toBe(303);
    const s = await fx.store.getSemester('rf-2025-autumn');
    expect(s).toMatchObject({
      calendarId: '2025-autumn',
      templateId: api.from.templateId,
      templateVersion: api.from.templateVersion,
      status: 'running',
    });
    expect(started).toEqual(['semester.rf-2025-autumn']);
    // twice: refused by name
    const again = await admin.fetch('/admin/roll-forward/create', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        from: fx.semesterId,
        calendar: '2025-autumn',
        id: 'rf-2025-autumn',
        action: 'create',
      }).toString(),
    });
    expect(again.status).toBe(400);
  }, 120_000);

  test('When the CLI is given a calendar file, then it prints the table; a checklist that cannot be dated on it exits 1 with the planner’s reason and creates nothing', async () => {
    const table = await rollForwardCli(['--calendar', path.join(ROOT, 'calendars', '2025-autumn.json'), '--dry-run']);
    expect(table.stdout).toContain('54 rows, 2 need a decision');
    expect(table.stdout).toMatch(/! 2024-09-08-holiday-safety-reminder#mid-autumn +2024-09-14 Sat → —/);
    const failed = await rollForwardCli([
      '--calendar',
      path.join(ROOT, 'calendars', '2026-spring.json'),
      '--id',
      'rf-2026-spring',
    ]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr.trim()).toBe(
      'semester: task "2024-09-01-kickoff-meeting": month 9 (September) lies outside the semester 2026-03-02–2026-07-10',
    );
    expect(await fx.store.getSemester('rf-2026-spring')).toBeUndefined();
  }, 120_000);

  test('When a calendar JSON is uploaded, then it is stored and previewed; another calendar under a stored id is refused; a counsellor may not roll forward', async () => {
    const admin = await login(fx.base, 'admin');
    const spring = fs.readFileSync(path.join(ROOT, 'calendars', '2025-spring.json'), 'utf8');
    const f = new FormData();
    f.append('from', fx.semesterId);
    f.append('calendarFile', new Blob([spring], { type: 'application/json' }), '2025-spring.json');
    const posted = await admin.fetch('/admin/roll-forward', { method: 'POST', body: f });
    expect(posted.status).toBe(303);
    expect(await fx.store.getCalendar('2025-spring')).toBeTruthy();
    // the autumn checklist cannot be dated on a spring calendar: the planner says why
    const res = await admin.fetch(
      posted.headers.get('location')!.replace('/admin/roll-forward/preview', '/api/roll-forward'),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(
      'task "2024-09-01-kickoff-meeting": month 9 (September) lies outside the semester 2025-02-17–2025-07-11',
    );
    const clash = JSON.parse(spring) as { semesterStart: string };
    clash.semesterStart = '2025-02-24';
    const g = new FormData();
    g.append('from', fx.semesterId);
    g.append('calendarFile', new Blob([JSON.stringify(clash)], { type: 'application/json' }), 'mine.json');
    const refused = await admin.fetch('/admin/roll-forward', {
      method: 'POST',
      body: g,
      headers: { accept: 'application/json' },
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe(
      'mine.json: a different calendar "2025-spring" is already stored; give this one another id',
    );
    const counsellor = await login(fx.base, 'literature-counsellor');
    expect((await counsellor.fetch('/admin/roll-forward')).status).toBe(403);
  });
});
