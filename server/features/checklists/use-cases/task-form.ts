/**
 * The web editor's task form as a checklist task: every problem named, in Chinese. Every save is a
 * new version of the template (see edit.ts).
 */
import {
  COLLEGE_ROLES,
  HOLIDAY_KIND_NAMES,
  OBSERVED_DAY_KINDS,
  PUBLIC_HOLIDAY_KINDS,
  TASK_KINDS,
  templateTaskSchema,
  type TemplateTask,
} from '../../../../domain/schema';

export const RULE_CHOICES: Array<[string, string, string]> = [
  ['month-last', '当月最后一个工作日', 'last working day of the month'],
  ['month-day', '当月第N天前', 'by day N of the month'],
  ['week-last', '当周最后一个工作日', 'last working day of the week'],
  ['week-day', '当周周X前', 'by weekday X of the week'],
  ['weekly', '每周（至学期结束）', 'every week (to the semester end)'],
  ['weekly-vacation', '每周（至放假）', 'every week (to the vacation)'],
  ['before-holiday', '节前最后一个工作日', 'working day before the holidays'],
  ['exam-week', '考试周', 'each exam week'],
  ['after-exam-weeks', '考试周后第一个工作日', 'first working day after the exam weeks'],
];
export const EDITOR_HOLIDAYS = [...PUBLIC_HOLIDAY_KINDS, ...OBSERVED_DAY_KINDS, 'vacation'];

/** The form's fields as a task (every problem named, in Chinese). */
export function taskFromForm(
  body: Record<string, unknown>,
  base: TemplateTask | undefined,
  id: string,
): { task?: TemplateTask; problems: string[] } {
  const s = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
  const problems: string[] = [];
  const int = (k: string, label: string, min: number, max: number): number | undefined => {
    const v = s(k);
    if (!/^\d{1,3}$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`“${label}” 应为 ${min} 到 ${max} 的整数`);
      return undefined;
    }
    return Number(v);
  };
  const when = s('when');
  const month = /^m(\d{1,2})$/.exec(when)?.[1];
  const week = /^w(\d{1,2})$/.exec(when)?.[1];
  const rule = s('rule');
  let due: Record<string, unknown> | undefined;
  switch (rule) {
    case 'month-last':
    case 'month-day':
      due = { type: 'in-month', dueDay: rule === 'month-last' ? 'last' : int('dueDay', '当月第几天', 1, 31) };
      if (s('withinDays')) due.withinDaysOfSemesterStart = int('withinDays', '开学后几天内', 1, 60);
      if (!month) problems.push('按月的截止规则需要选择月份');
      break;
    case 'week-last':
    case 'week-day':
      due = { type: 'in-week', dueDay: rule === 'week-last' ? 'last' : int('weekday', '周几', 1, 7) };
      if (!week) problems.push('按周的截止规则需要选择第几周');
      break;
    case 'weekly':
    case 'weekly-vacation':
      due = { type: 'weekly', until: rule === 'weekly' ? 'semester-end' : 'vacation-start' };
      break;
    case 'before-holiday': {
      // the task's own order first (an unchanged form changes nothing), new ones after
      const had = base?.due.type === 'before-holiday' ? base.due.holidays : [];
      const holidays = [...had, ...EDITOR_HOLIDAYS.filter((h) => !had.includes(h))].filter(
        (h) => body[`holiday-${h}`] !== undefined,
      );
      if (!holidays.length) problems.push('请至少选择一个节日');
      const ifMissing: Record<string, string> = {};
      for (const h of holidays) {
        const v = s(`ifMissing-${h}`);
        if (v === 'skip' || (v.startsWith('merge-into:') && EDITOR_HOLIDAYS.includes(v.slice(11)) && v.slice(11) !== h))
          ifMissing[h] = v;
        else if (v) problems.push(`“缺少${HOLIDAY_KIND_NAMES[h]?.zh ?? h}时” 的选项无效`);
      }
      due = {
        type: 'before-holiday',
        holidays,
        opensDaysBefore: int('opensDaysBefore', '提前几天开放', 0, 60),
        ifMissing,
      };
      break;
    }
    case 'exam-week':
    case 'after-exam-weeks':
      due = { type: rule, opensDaysBefore: int('opensDaysBefore', '提前几天开放', 0, 60) };
      break;
    default:
      problems.push('请选择截止规则');
  }
  const titleZh = s('titleZh');
  if (!titleZh) problems.push('“任务内容(标题)” 不能为空');
  const role = s('ownerRole');
  if (!(COLLEGE_ROLES as readonly string[]).includes(role)) problems.push('请选择负责角色');
  const kind = s('kind');
  if (!(TASK_KINDS as readonly string[]).includes(kind) || kind === 'campaign-phase') problems.push('请选择任务类型');
  const number = s('number') ? int('number', '任务编号', 1, 999) : undefined;
  const minFiles = int('minFiles', '至少几个文件', 0, 50);
  if (problems.length) return { problems };
  const raw = {
    id,
    ...(number !== undefined ? { number } : {}),
    kind,
    title: { zh: titleZh, en: s('titleEn') || titleZh },
    textZh: s('textZh') || titleZh,
    ownerRole: role,
    ...(month ? { month: Number(month) } : {}),
    ...(week ? { week: Number(week) } : {}),
    due,
    ...(base?.ladder ? { ladder: base.ladder } : {}),
    evidence: {
      ...(base?.evidence ?? {}),
      note: body.noteRequired !== undefined ? 'required' : 'optional',
      minFiles,
      ledgerMonthlyReview: body.ledger !== undefined,
    },
  };
  const parsed = templateTaskSchema.safeParse(raw);
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  return { task: parsed.data, problems: [] };
}
