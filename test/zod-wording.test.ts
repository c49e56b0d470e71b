/**
 * Zod 4 (issue 13) words its default messages differently from zod 3; domain/zod.ts keeps the
 * words the service has always shown. Each case goes through a real schema and its real error
 * path (a checklist file, the care settings, the user administration, the configuration) and the
 * expected text is zod 3's, as users and the documents quoting them know it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { careSettingsProblems, DEFAULT_CARE_SETTINGS } from '../domain/care';
import { parseTemplate } from '../domain/load';
import { templateTaskSchema } from '../domain/schema';
import { loadConfig } from '../server/platform/config/config';
import { createSchema, parse } from '../server/features/users/rules';

const checklist = JSON.parse(readFileSync('checklists/runxin-2024-autumn.json', 'utf8')) as Record<string, unknown> & {
  tasks: Array<Record<string, unknown>>;
};
/** The message of a checklist changed by `change`, without the file name. */
function problemOf(change: (t: typeof checklist) => void): string {
  const t = structuredClone(checklist);
  change(t);
  try {
    parseTemplate('x.json', JSON.stringify(t));
  } catch (e) {
    return (e as Error).message.replace(/^x\.json: /, '');
  }
  throw new Error('the checklist was accepted');
}
const badUser = (change: Record<string, unknown>) => {
  const good = { username: 'ab', displayName: 'A', role: 'counsellor', password: 'p'.repeat(10) };
  try {
    parse(createSchema, { ...good, ...change });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the user was accepted');
};

describe('zod default messages in the service words', () => {
  test('When a checklist breaks a type, a size, an enum, a literal or an unknown key, then the message is worded as before', () => {
    expect(problemOf((t) => delete t.title)).toBe('title: Required');
    expect(problemOf((t) => (t.version = 'a'))).toBe('version: Expected number, received string');
    expect(problemOf((t) => (t.version = 1.5))).toBe('version: Expected integer, received float');
    expect(problemOf((t) => (t.version = 0))).toBe('version: Number must be greater than or equal to 1');
    expect(problemOf((t) => (t.tasks[0]!.week = 31))).toMatch(
      /^tasks\[0\]\.week: Number must be less than or equal to 30/,
    );
    expect(problemOf((t) => (t.title = { zh: '', en: 'x' }))).toBe(
      'title.zh: String must contain at least 1 character(s)',
    );
    expect(problemOf((t) => (t.tasks = []))).toBe('tasks: Array must contain at least 1 element(s)');
    expect(problemOf((t) => (t.tasks[5]!.ownerRole = 'boss'))).toBe(
      "tasks[5].ownerRole: Invalid enum value. Expected 'college_leader' | 'psych_counsellor' | 'counsellor' | 'class_teacher', received 'boss'",
    );
    expect(problemOf((t) => (t.format = 3))).toBe('format: Invalid literal value, expected 2');
    expect(problemOf((t) => Object.assign(t, { extra: 1, more: 2 }))).toBe(
      "Unrecognized key(s) in object: 'extra', 'more'",
    );
    expect(problemOf((t) => (t.tasks[0]!.due = { type: 'nope' }))).toBe(
      "tasks[0].due.type: Invalid discriminator value. Expected 'in-month' | 'in-week' | 'weekly' | 'before-holiday' | 'exam-week' | 'after-exam-weeks' | 'campaign-phase'",
    );
  });

  test("When a record's key is bad, then the key's own problem is named at the key", () => {
    expect(
      problemOf(
        (t) =>
          (t.tasks[0]!.due = { type: 'before-holiday', holidays: ['national-day'], ifMissing: { 'Bad Key': 'skip' } }),
      ),
    ).toBe('tasks[0].due.ifMissing.Bad Key: must be lower-case letters, digits and dashes');
  });

  test("When a task has no evidence rules, then every rule takes its default (zod 3's parsed default)", () => {
    const task = { id: 'a', kind: 'once', title: { zh: 'a', en: 'b' }, textZh: 'x', ownerRole: 'counsellor' };
    const parsed = templateTaskSchema.parse({ ...task, month: 9, due: { type: 'in-month', dueDay: 3 } });
    expect(parsed.evidence).toEqual({
      note: 'optional',
      minFiles: 0,
      documents: [],
      accept: ['image', 'pdf'],
      ledgerMonthlyReview: false,
    });
  });

  test('When the care settings, a user or the configuration are wrong, then the messages are worded as before', () => {
    expect(
      careSettingsProblems({
        ...DEFAULT_CARE_SETTINGS,
        crisis: { ...DEFAULT_CARE_SETTINGS.crisis, onSceneAckMinutes: 1 },
      }),
    ).toEqual(['crisis.onSceneAckMinutes: Number must be greater than or equal to 5']);
    expect(careSettingsProblems(null)).toEqual(['(settings): Expected object, received null']);
    expect(badUser({ role: 3 })).toBe(
      "role: Expected 'school_admin' | 'college_leader' | 'psych_counsellor' | 'counsellor' | 'class_teacher' | 'class_psych_member' | 'dorm_info_officer', received number",
    );
    expect(badUser({ role: undefined })).toBe('role: Required');
    expect(badUser({ displayName: 'x'.repeat(101) })).toBe('displayName: String must contain at most 100 character(s)');
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT: Expected number, received nan \(got "eighty"\)/);
    expect(() => loadConfig({ TEMPORAL_UI_URL: 'notaurl' })).toThrow(/TEMPORAL_UI_URL: Invalid url \(got "notaurl"\)/);
  });

  test("When a schema gives its own message, then it wins over the service's wording", () => {
    expect(badUser({ password: 'short' })).toBe('password: must have at least 10 characters');
    expect(() => loadConfig({ ADMIN_API_TOKEN: 'short' })).toThrow(/ADMIN_API_TOKEN: must be at least 24 characters/);
  });
});
