/** The checklist workbook's sheets, columns and words, and the conversions between words and rules (../checklist-xlsx.ts). */
import { HOLIDAY_KIND_NAMES, type CollegeRole, type DueRule, type TemplateTask, type TaskKind } from '../schema';

export class ChecklistXlsxError extends Error {
  override name = 'ChecklistXlsxError';
  /** answered 400 by the web layer */
  readonly status = 400;
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export const MAX_XLSX_BYTES = 5 * 1024 * 1024;

export const TASK_SHEET = '任务清单';
export const TASK_COLUMNS = [
  '月份或周次',
  '任务编号',
  '任务标识',
  '任务类型',
  '任务内容(标题)',
  '英文标题',
  '任务说明',
  '负责角色',
  '截止规则',
  '提前开放天数',
  '缺少节日时',
  '提醒',
  '升级',
  '佐证要求',
] as const;
export type TaskColumn = (typeof TASK_COLUMNS)[number];
export const REQUIRED_TASK_COLUMNS: TaskColumn[] = ['月份或周次', '任务内容(标题)', '任务说明', '负责角色', '截止规则'];
export const MONTH_SHEET = '每月重点关爱人群';
export const DOC_SHEET = '佐证文件';
export const INFO_SHEET = '清单信息';
export const HOTLINE_SHEET = '求助热线';
export const HELP_SHEET = '填写说明';

export const ROLE_WORDS: Record<CollegeRole, string> = {
  college_leader: '学院领导',
  psych_counsellor: '心理辅导员',
  counsellor: '辅导员',
  class_teacher: '班主任',
};
export const KIND_WORDS: Record<TaskKind, string> = {
  once: '一次性任务',
  weekly: '每周研判',
  monthly: '每月更新',
  'before-holiday': '节前提醒',
  'exam-week': '考试周任务',
  'full-coverage': '全覆盖任务',
  'campaign-phase': '活动阶段',
};
export const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

/** The words of the 截止规则 column (N a number; 节日 one or more holiday names joined by 、). */
export const DUE_RULE_WORDS = [
  ['当月最后一个工作日', '在所属月份内，当月最后一个工作日截止'],
  ['当月第N天前', '在所属月份内，当月 N 日截止（如 当月第15天前）'],
  [
    '当月最后一个工作日，且开学后N天内',
    '同上，且不晚于开学后第 N 天（“开学初”）；当月第N天前 也可加 “，且开学后N天内”',
  ],
  ['当周最后一个工作日', '在所属的第 N 周（月份或周次 写 第N周）内，当周最后一个工作日截止'],
  ['当周周三前', '在所属的第 N 周内，周三（或之前最后一个工作日）截止；周一 … 周日'],
  ['第N周', '即 第N周 的 当周最后一个工作日'],
  ['每周', '从开学第一周起每周一次，每周最后一个工作日截止，至学期结束'],
  ['每周至放假', '同上，至放假为止'],
  [
    '节前最后一个工作日:国庆节',
    '每个所列节日前的最后一个工作日截止；多个节日用 、 分开（中秋节、国庆节）；假期 表示放假',
  ],
  ['放假前最后一个工作日', '即 节前最后一个工作日:假期'],
  ['考试周', '每个考试周一次，考试周最后一个工作日截止'],
  ['考试周后第一个工作日', '最后一个考试周之后的第一个工作日截止'],
] as const;

// ---------------------------------------------------------------------------------------------
// words ⇄ values

export const holidayWord = (kind: string) => (kind === 'vacation' ? '假期' : (HOLIDAY_KIND_NAMES[kind]?.zh ?? kind));
export function holidayKind(word: string): string | undefined {
  const w = word.trim();
  if (w === '假期' || w === '放假') return 'vacation';
  for (const [kind, n] of Object.entries(HOLIDAY_KIND_NAMES)) if (n.zh === w) return kind;
  if (/^[a-z0-9][a-z0-9-]*$/.test(w)) return w;
  return undefined;
}

/** P3D → 3天, PT2H → 2小时, P1DT30M → 1天30分钟 */
export function durationWords(iso: string): string {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!m) return iso;
  return `${m[1] !== undefined ? `${m[1]}天` : ''}${m[2] !== undefined ? `${m[2]}小时` : ''}${m[3] !== undefined ? `${m[3]}分钟` : ''}`;
}
export function durationOf(words: string): string | undefined {
  const m = /^(?:(\d+)天)?(?:(\d+)(?:小时|个小时))?(?:(\d+)分钟)?$/.exec(words);
  if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) return undefined;
  const time =
    m[2] !== undefined || m[3] !== undefined
      ? `T${m[2] !== undefined ? `${m[2]}H` : ''}${m[3] !== undefined ? `${m[3]}M` : ''}`
      : '';
  return `P${m[1] !== undefined ? `${m[1]}D` : ''}${time}`;
}
export const remindWords = (list: string[]) =>
  list.length ? list.map((d) => `提前${durationWords(d)}`).join(',') : '不提醒';
export function remindOf(text: string): string[] | undefined {
  if (text === '不提醒') return [];
  const out: string[] = [];
  for (const part of text
    .split(/[,，、;；]/)
    .map((x) => x.trim())
    .filter(Boolean)) {
    const d = /^提前(.+)$/.exec(part) && durationOf(part.slice(2));
    if (!d) return undefined;
    out.push(d);
  }
  return out.length ? out : undefined;
}
export const escalationWords = (iso: string) => `逾期${durationWords(iso)}后上报学校`;
export function escalationOf(text: string): string | undefined {
  const m = /^(?:逾期)?(.+?)后(?:上报学校)?$/.exec(text);
  return m ? durationOf(m[1]!) : undefined;
}

export function dueRuleWords(rule: DueRule): string {
  switch (rule.type) {
    case 'in-month': {
      const day = rule.dueDay === 'last' ? '当月最后一个工作日' : `当月第${rule.dueDay}天前`;
      return rule.withinDaysOfSemesterStart !== undefined
        ? `${day}，且开学后${rule.withinDaysOfSemesterStart}天内`
        : day;
    }
    case 'in-week':
      return rule.dueDay === 'last' ? '当周最后一个工作日' : `当周周${WEEKDAYS[rule.dueDay - 1]}前`;
    case 'weekly':
      return rule.until === 'vacation-start' ? '每周至放假' : '每周';
    case 'before-holiday':
      return rule.holidays.length === 1 && rule.holidays[0] === 'vacation'
        ? '放假前最后一个工作日'
        : `节前最后一个工作日:${rule.holidays.map(holidayWord).join('、')}`;
    case 'exam-week':
      return '考试周';
    case 'after-exam-weeks':
      return '考试周后第一个工作日';
    case 'campaign-phase':
      throw new ChecklistXlsxError(['专项活动的阶段任务（campaign-phase）不能写成 xlsx']);
  }
}

/** A rule in words: the rule (opensDaysBefore and ifMissing come from their own columns), and the week it names, if any. */
export function dueRuleOf(text: string): { rule: Record<string, unknown>; week?: number } | undefined {
  const t = text.replace(/：/g, ':').replace(/\s+/g, '');
  let m = /^当月(?:最后一个工作日|第(\d{1,2})天前|(\d{1,2})日前)(?:[,，;；]?且?开学后(\d{1,2})天内)?$/.exec(t);
  if (m) {
    const day = m[1] ?? m[2];
    const n = day === undefined ? 'last' : Number(day);
    if (n !== 'last' && (n < 1 || n > 31)) return undefined;
    const within = m[3] === undefined ? undefined : Number(m[3]);
    if (within !== undefined && (within < 1 || within > 60)) return undefined;
    return {
      rule: { type: 'in-month', dueDay: n, ...(within !== undefined ? { withinDaysOfSemesterStart: within } : {}) },
    };
  }
  if (t === '当周最后一个工作日') return { rule: { type: 'in-week', dueDay: 'last' } };
  m = /^当?周([一二三四五六日天])前?$/.exec(t) ?? /^当周周([一二三四五六日天])前?$/.exec(t);
  if (m) return { rule: { type: 'in-week', dueDay: m[1] === '天' ? 7 : WEEKDAYS.indexOf(m[1]!) + 1 } };
  m = /^第(\d{1,2})周$/.exec(t);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 30)
    return { rule: { type: 'in-week', dueDay: 'last' }, week: Number(m[1]) };
  if (t === '每周') return { rule: { type: 'weekly', until: 'semester-end' } };
  if (t === '每周至放假' || t === '每周(至放假)' || t === '每周（至放假）')
    return { rule: { type: 'weekly', until: 'vacation-start' } };
  if (t === '放假前最后一个工作日') return { rule: { type: 'before-holiday', holidays: ['vacation'] } };
  m = /^节前最后一个工作日:(.+)$/.exec(t);
  if (m) {
    const kinds = m[1]!
      .split(/[、,，]/)
      .filter(Boolean)
      .map(holidayKind);
    if (!kinds.length || kinds.some((k) => k === undefined)) return undefined;
    return { rule: { type: 'before-holiday', holidays: kinds } };
  }
  if (t === '考试周') return { rule: { type: 'exam-week' } };
  if (t === '考试周后第一个工作日') return { rule: { type: 'after-exam-weeks' } };
  return undefined;
}

export function evidenceWords(e: TemplateTask['evidence']): string {
  const items: string[] = [e.note === 'required' ? '须填写说明' : '说明可选'];
  if (e.minFiles > 0) items.push(`至少${e.minFiles}个文件`);
  if (e.minPhotosPerActivity !== undefined) items.push(`每项活动至少${e.minPhotosPerActivity}张照片`);
  if (!(e.accept.length === 2 && e.accept[0] === 'image' && e.accept[1] === 'pdf'))
    items.push(`文件类型:${e.accept.map((a) => (a === 'image' ? '图片' : 'PDF')).join('、')}`);
  if (e.ledgerMonthlyReview) items.push('须更新本月干预台账');
  return items.join('；');
}
export function evidenceOf(text: string): { value: Record<string, unknown> } | { bad: string } {
  const out: Record<string, unknown> = {};
  for (const item of text
    .replace(/：/g, ':')
    .split(/[;；\n]/)
    .map((x) => x.replace(/\s+/g, ''))
    .filter(Boolean)) {
    let m: RegExpExecArray | null;
    if (item === '须填写说明') out.note = 'required';
    else if (item === '说明可选') out.note = 'optional';
    else if ((m = /^至少(\d{1,2})个文件$/.exec(item))) out.minFiles = Number(m[1]);
    else if ((m = /^每项活动至少(\d{1,2})张照片$/.exec(item))) out.minPhotosPerActivity = Number(m[1]);
    else if (item === '须更新本月干预台账') out.ledgerMonthlyReview = true;
    else if ((m = /^文件类型:(.+)$/.exec(item))) {
      const kinds = m[1]!
        .split(/[、,，]/)
        .filter(Boolean)
        .map((k) => (k === '图片' ? 'image' : k.toUpperCase() === 'PDF' ? 'pdf' : undefined));
      if (!kinds.length || kinds.some((k) => !k)) return { bad: item };
      out.accept = kinds;
    } else return { bad: item };
  }
  return { value: out };
}

// ---------------------------------------------------------------------------------------------
// export
