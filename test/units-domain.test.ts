/**
 * The pure rules of the class and dorm levels (domain/units.ts, domain/permissions.ts): the report
 * weeks dated in the school calendar, the concern's checks, the response deadline's bounds, and who
 * may do what (a student reporter is of no college's staff).
 */
import path from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { loadCalendarFile } from '../domain/load';
import {
  completeTaskRefusal,
  crisisCollegeRefusal,
  interviewRefusal,
  isStudentReporter,
  markTrainingRefusal,
  reportReadRefusal,
  reporterReachRefusal,
  respondConcernRefusal,
  taskCollegeRefusal,
} from '../domain/permissions';
import { concernProblem, reportWeeks, respondWithinProblem, trainingProblem, unitWeekId } from '../domain/units';

const calendar = loadCalendarFile(path.resolve(__dirname, '..', 'calendars', '2024-autumn.json')).data;
const local = (ms: number) => DateTime.fromMillis(ms, { zone: 'Asia/Shanghai' }).toFormat('yyyy-MM-dd HH:mm ccc');

describe('report weeks', () => {
  test('When the autumn 2024 calendar is planned, then each week runs from its first working day 08:00 to its last 17:00, up to the vacation, a holiday-shortened week without a reminder when too short', () => {
    const weeks = reportWeeks(calendar);
    const first = weeks[0]!;
    expect([
      first.weekNo,
      local(first.openAt),
      local(first.dueAt),
      local(first.remindAt!),
      local(first.escalateAt),
    ]).toEqual([1, '2024-09-02 08:00 Mon', '2024-09-06 17:00 Fri', '2024-09-05 17:00 Thu', '2024-09-07 17:00 Sat']);
    // National Day (Oct 1–7 off): week 5 is Monday Sept 30 alone, too short for a reminder; Sunday Sept 29
    // is a make-up working day, the last of week 4
    const week5 = weeks.find((w) => w.weekNo === 5)!;
    expect([local(week5.openAt), local(week5.dueAt), week5.remindAt]).toEqual([
      '2024-09-30 08:00 Mon',
      '2024-09-30 17:00 Mon',
      null,
    ]);
    const week4 = weeks.find((w) => w.weekNo === 4)!;
    expect(local(week4.dueAt)).toBe('2024-09-29 17:00 Sun');
    // the last week ends before the vacation (2025-01-18)
    expect(local(weeks.at(-1)!.dueAt)).toBe('2025-01-17 17:00 Fri');
    for (const w of weeks) {
      expect(w.openAt).toBeLessThan(w.dueAt);
      if (w.remindAt !== null) expect(w.remindAt).toBeGreaterThan(w.openAt);
    }
    expect(unitWeekId('s', 'u', 3)).toBe('s/u/w03');
  });
});

describe('concerns and settings', () => {
  test('When a concern or a deadline is checked, then each problem is named', () => {
    expect(concernProblem({ studentId: '', category: 'mood', note: 'x' })).toMatch(/choose the classmate/);
    expect(concernProblem({ studentId: 's', category: 'gossip', note: 'x' })).toMatch(/unknown category "gossip"/);
    expect(concernProblem({ studentId: 's', category: 'mood', note: 'x'.repeat(1001) })).toMatch(/longer than 1000/);
    expect(concernProblem({ studentId: 's', category: 'mood', note: '情绪低落' })).toBeNull();
    expect(respondWithinProblem(30 * 60_000)).toMatch(/at least 1 hour/);
    expect(respondWithinProblem(8 * 86_400_000)).toMatch(/at most 7 days/);
    expect(respondWithinProblem(24 * 3_600_000)).toBeNull();
    expect(trainingProblem([])).toBeNull(); // no class on the roster yet: the checklist's own rule only
    expect(trainingProblem([{ name: 'A', trained: true }])).toBeNull();
  });
});

describe('permissions of the student reporters', () => {
  const member = { userId: 'm', role: 'class_psych_member', collegeId: 'lit' };
  const officer = { userId: 'o', role: 'dorm_info_officer', collegeId: 'lit' };
  const counsellor = { userId: 'c', role: 'counsellor', collegeId: 'lit' };
  test('When a reporter acts on staff work of their own college, then every rule refuses them', () => {
    for (const r of [member, officer]) {
      expect(isStudentReporter(r)).toBe(true);
      expect(reporterReachRefusal(r, false)).toMatch(/only their own weekly reports/);
      expect(reporterReachRefusal(r, true)).toBeNull();
      expect(taskCollegeRefusal(r, 'lit')).not.toBeNull();
      expect(crisisCollegeRefusal(r, 'lit')).not.toBeNull();
      expect(interviewRefusal(r, 'lit')).not.toBeNull();
      expect(respondConcernRefusal(r, 'lit')).not.toBeNull();
      expect(markTrainingRefusal(r, 'lit')).not.toBeNull();
    }
    expect(completeTaskRefusal(member, 'class_teacher')).not.toBeNull();
    expect(reporterReachRefusal(counsellor, false)).toBeNull();
    expect(taskCollegeRefusal(counsellor, 'lit')).toBeNull();
  });
  test('When a report is read, then only its reporter or care staff of its college may', () => {
    const report = { reporterUserId: 'm', collegeId: 'lit' };
    expect(reportReadRefusal(member, report)).toBeNull();
    expect(reportReadRefusal(officer, report)).toMatch(/only the reports they filed/);
    expect(reportReadRefusal(counsellor, report)).toBeNull();
    expect(reportReadRefusal({ userId: 'x', role: 'counsellor', collegeId: 'sci' }, report)).toMatch(/another college/);
    expect(respondConcernRefusal({ userId: 't', role: 'class_teacher', collegeId: 'lit' }, 'lit')).toMatch(
      /may respond/,
    );
    expect(respondConcernRefusal(counsellor, 'lit')).toBeNull();
  });
});
