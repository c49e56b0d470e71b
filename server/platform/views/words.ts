/**
 * Human words for stored codes: a task's occurrence key (week-03, national-day, exam-1, vacation)
 * as "第 3 周" / "国庆节前", escalation levels, semester status, and a semester's name from its
 * calendar. The stored ids stay as they are (they are workflow ids); only what people read changes.
 */
import type { Semester, Store } from '../../../db/store';
import type { Lang } from '../i18n';

/** Holiday names for ids a calendar commonly uses, when the calendar itself cannot be read. */
const KNOWN_HOLIDAYS: Record<string, { zh: string; en: string }> = {
  'mid-autumn': { zh: '中秋节', en: 'Mid-Autumn Festival' },
  'national-day': { zh: '国庆节', en: 'National Day' },
  'new-year': { zh: '元旦', en: "New Year's Day" },
  christmas: { zh: '圣诞节', en: 'Christmas' },
  'spring-festival': { zh: '春节', en: 'Spring Festival' },
  qingming: { zh: '清明节', en: 'Qingming Festival' },
  'labour-day': { zh: '劳动节', en: 'Labour Day' },
  'labor-day': { zh: '劳动节', en: 'Labour Day' },
  'dragon-boat': { zh: '端午节', en: 'Dragon Boat Festival' },
  vacation: { zh: '放假', en: 'the vacation' },
};

export type HolidayNames = ReadonlyMap<string, { zh: string; en: string }>;

/**
 * "week-03" → 第 3 周 / Week 3; "exam-1" → 第 1 个考试周 / Exam week 1; a holiday id → 国庆节前 /
 * Before National Day (its name from the calendar, else a known name, else the id); null → ''.
 */
export function occurrenceLabel(occurrence: string | null | undefined, lang: Lang, holidays?: HolidayNames): string {
  if (!occurrence) return '';
  const en = lang === 'en';
  const week = /^week-(\d+)$/.exec(occurrence);
  if (week) return en ? `Week ${Number(week[1])}` : `第 ${Number(week[1])} 周`;
  const exam = /^exam-(\d+)$/.exec(occurrence);
  if (exam) return en ? `Exam week ${Number(exam[1])}` : `第 ${Number(exam[1])} 个考试周`;
  const name = holidays?.get(occurrence) ?? KNOWN_HOLIDAYS[occurrence];
  if (name) return en ? `Before ${name.en}` : `${name.zh}前`;
  return en ? `Before ${occurrence}` : `${occurrence} 前`;
}

/** A task's title with its occurrence in words: "每周研判会（第 1 周）". */
export function titleWithOccurrence(
  row: { titleZh: string; titleEn: string; occurrence: string | null },
  lang: Lang,
  holidays?: HolidayNames,
): string {
  const title = lang === 'en' ? row.titleEn : row.titleZh;
  const occ = occurrenceLabel(row.occurrence, lang, holidays);
  if (!occ) return title;
  return lang === 'en' ? `${title} (${occ})` : `${title}（${occ}）`;
}

/** The escalation ladder in words (docs/domain.md: level 1 goes to the college leader, level 2 to the school). */
export const LEVEL_NAMES: Record<Lang, readonly [string, string, string]> = {
  'zh-CN': ['正常', '已逾期提醒学院', '已上报学校'],
  en: ['Normal', 'Overdue: college alerted', 'Escalated to the school'],
};

export function levelName(level: number, lang: Lang): string {
  return LEVEL_NAMES[lang][Math.max(0, Math.min(2, level))] ?? String(level);
}

export const SEMESTER_STATUS_NAMES: Record<Lang, Record<string, string>> = {
  'zh-CN': { planned: '待启动', running: '进行中', closed: '已结束', cancelled: '已取消', failed: '启动失败' },
  en: { planned: 'Planned', running: 'Running', closed: 'Closed', cancelled: 'Cancelled', failed: 'Failed to start' },
};

export const semesterStatusName = (status: string, lang: Lang) => SEMESTER_STATUS_NAMES[lang][status] ?? status;

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
  if (!m) return month;
  if (lang === 'en')
    return `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
  return `${m[1]} 年 ${Number(m[2])} 月`;
}

const WORKFLOW_STATUS_NAMES: Record<Lang, Record<string, string>> = {
  'zh-CN': {
    RUNNING: '运行中',
    COMPLETED: '已完成',
    FAILED: '已失败',
    CANCELLED: '已取消',
    TERMINATED: '已终止',
    TIMED_OUT: '已超时',
    CONTINUED_AS_NEW: '已续接',
    NOT_FOUND: '未找到',
  },
  en: {
    RUNNING: 'running',
    COMPLETED: 'completed',
    FAILED: 'failed',
    CANCELLED: 'cancelled',
    TERMINATED: 'terminated',
    TIMED_OUT: 'timed out',
    CONTINUED_AS_NEW: 'continued as new',
    NOT_FOUND: 'not found',
  },
};

/** A Temporal workflow execution status (TERMINATED, …) in words. */
export const workflowStatusName = (status: string, lang: Lang) =>
  WORKFLOW_STATUS_NAMES[lang][status.toUpperCase()] ?? status;

/** A task workflow's refusal (server/features/tasks/use-cases, workflows/task.ts) in the user's words; null when there is no translation. */
const TASK_REFUSALS: Array<[RegExp, string]> = [
  [/already completed/, '该任务已经完成，无需重复提交。'],
  [/was waived and is closed|already waived/, '该任务已豁免并关闭。'],
  [/has not opened yet/, '该任务尚未开始，开始后才能提交。'],
  [/a reason is required to waive/, '豁免任务须填写理由。'],
  [/a reason is required to move/, '调整截止时间须填写理由。'],
  [/only the college leader may waive/, '只有学院领导可以豁免任务。'],
  [/only the school administration may move/, '只有学校管理员可以调整截止时间。'],
  [/is not a date and time written YYYY-MM-DD HH:mm/, '新的截止时间格式不对，请按“YYYY-MM-DD HH:mm”填写。'],
  [/the new schedule is inconsistent/, '新的截止时间与提醒时间冲突，请换一个时间。'],
  [/belongs to another college/, '该任务属于其他学院。'],
  [/may complete this task/, '只有学院中负责该任务的岗位或学院领导可以提交完成。'],
  [/^evidence incomplete/, '佐证材料不完整，请按要求补充后再提交。'],
  [/only a completed task can be returned/, '只有已完成的任务才能退回。'],
  [/may return a completion/, '只有本学院领导或学校管理员可以退回任务。'],
  [/a reason is required to return/, '退回任务须填写理由。'],
  [
    /needs a semester on the ladder model/,
    '本学期的任务按“每任务一个流程”运行，任务完成后流程即结束，无法退回；新学期可以退回。',
  ],
  [/ladder has ended/, '本学期已结束且所有任务均已关闭，无法再退回。'],
];

export function taskRefusalText(message: string, lang: Lang): string | null {
  if (lang === 'en') return null;
  for (const [re, words] of TASK_REFUSALS) if (re.test(message)) return words;
  return null;
}
