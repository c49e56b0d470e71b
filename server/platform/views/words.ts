/**
 * Stored codes in human words: a task's occurrence key (week-03, national-day, exam-1, vacation)
 * as "第 3 周" / "国庆节前", escalation levels, semester status, and a semester's name from its
 * calendar. The words are the catalogue's (`t(lang).codes`, server/platform/i18n/codes.ts); this
 * file reads the codes and the calendars. The stored ids stay as they are (they are workflow ids).
 */
import type { Semester, Store } from '../../../db/store';
import { t, type Lang } from '../i18n';

export type HolidayNames = ReadonlyMap<string, { zh: string; en: string }>;

/**
 * "week-03" → 第 3 周 / Week 3; "exam-1" → 第 1 个考试周 / Exam week 1; a holiday id → 国庆节前 /
 * Before National Day (its name from the calendar, else a known name, else the id); null → ''.
 */
export function occurrenceLabel(occurrence: string | null | undefined, lang: Lang, holidays?: HolidayNames): string {
  if (!occurrence) return '';
  const w = t(lang).codes;
  const week = /^week-(\d+)$/.exec(occurrence);
  if (week) return w.week(Number(week[1]));
  const exam = /^exam-(\d+)$/.exec(occurrence);
  if (exam) return w.examWeek(Number(exam[1]));
  const fromCalendar = holidays?.get(occurrence);
  const name = fromCalendar ? fromCalendar[lang === 'en' ? 'en' : 'zh'] : w.holidays[occurrence];
  if (name !== undefined) return w.before(name);
  return w.beforeId(occurrence);
}

/** A task's title with its occurrence in words: "每周研判会（第 1 周）". */
export function titleWithOccurrence(
  row: { titleZh: string; titleEn: string; occurrence: string | null },
  lang: Lang,
  holidays?: HolidayNames,
): string {
  const title = lang === 'en' ? row.titleEn : row.titleZh;
  const occ = occurrenceLabel(row.occurrence, lang, holidays);
  return occ ? t(lang).codes.titleWithOccurrence(title, occ) : title;
}

/** The escalation ladder in words (docs/domain.md: level 1 goes to the college leader, level 2 to the school). */
export function levelName(level: number, lang: Lang): string {
  return t(lang).codes.levels[Math.max(0, Math.min(2, level))] ?? String(level);
}

export const semesterStatusName = (status: string, lang: Lang) => t(lang).codes.semesterStatus[status] ?? status;

interface CalendarWords {
  name: { zh: string; en: string };
  holidays: HolidayNames;
}

const calendarCache = new Map<string, CalendarWords>();

/** The calendar's name and holiday names (cached by calendar id and content hash). */
export async function calendarWords(store: Store, calendarId: string): Promise<CalendarWords> {
  const row = await store.getCalendar(calendarId);
  if (!row) return { name: { zh: calendarId, en: calendarId }, holidays: new Map() };
  const key = `${row.id}@${row.sha256}`;
  const hit = calendarCache.get(key);
  if (hit) return hit;
  let name = { zh: row.nameZh, en: row.nameZh };
  const holidays = new Map<string, { zh: string; en: string }>();
  try {
    const body = JSON.parse(row.body) as {
      name?: { zh?: string; en?: string };
      holidays?: Array<{ id?: string; name?: { zh?: string; en?: string } }>;
    };
    if (body.name?.zh) name = { zh: body.name.zh, en: body.name.en ?? body.name.zh };
    for (const h of body.holidays ?? [])
      if (h.id && h.name?.zh) holidays.set(h.id, { zh: h.name.zh, en: h.name.en ?? h.name.zh });
  } catch {
    // a stored calendar was validated when it was saved; an unreadable one falls back to the known names
  }
  const words = { name, holidays };
  calendarCache.set(key, words);
  return words;
}

/** A semester's name for people: its calendar's name (2024 年秋季学期), never its id. */
export async function semesterName(store: Store, semester: Semester, lang: Lang): Promise<string> {
  const w = await calendarWords(store, semester.calendarId);
  return lang === 'en' ? w.name.en : w.name.zh;
}

/**
 * One labeler for rows of any of the school's semesters: loads each semester's calendar once and
 * returns the occurrence label of a row.
 */
export async function occurrenceLabeler(
  store: Store,
  schoolId: string,
  lang: Lang,
): Promise<(row: { semesterId: string; occurrence: string | null }) => string> {
  const semesters = await store.listSemesters(schoolId);
  const bySemester = new Map<string, HolidayNames>();
  for (const s of semesters) bySemester.set(s.id, (await calendarWords(store, s.calendarId)).holidays);
  return (row) => occurrenceLabel(row.occurrence, lang, bySemester.get(row.semesterId));
}

/** "2024-10" → 2024 年 10 月 / Oct 2024 (anything else as given). */
export function monthLabel(month: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  return m ? t(lang).codes.month(m[1]!, m[2]!) : month;
}

/** A Temporal workflow execution status (TERMINATED, …) in words. */
export const workflowStatusName = (status: string, lang: Lang) =>
  t(lang).codes.workflowStatus[status.toUpperCase()] ?? status;

/** A task workflow's refusal (server/features/tasks/use-cases, workflows/task.ts) in the user's words; null when there is no translation. */
export function taskRefusalText(message: string, lang: Lang): string | null {
  for (const [re, words] of t(lang).codes.taskRefusals) if (re.test(message)) return words;
  return null;
}
