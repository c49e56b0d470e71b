/**
 * A year-free checklist (format 2, ./schema.ts) as an Excel workbook a staff member can edit, and back.
 * The round trip is lossless: `checklistFromXlsx(await checklistToXlsx(t))` parses to the same template.
 *
 * Sheets (headers in Chinese; columns are found by their header, in any order):
 *  - 任务清单 (one row a task):
 *      月份或周次        "9月" (month of the year) or "第3周" (week of the semester); blank for neither
 *      任务编号          its number in the month (optional)
 *      任务标识          the stable id (never reused; blank on a new row: one is made up)
 *      任务类型          一次性任务 / 每周研判 / 每月更新 / 节前提醒 / 考试周任务 / 全覆盖任务 (blank: from the rule)
 *      任务内容(标题)    the Chinese title;  英文标题  the English one (blank: the Chinese title)
 *      任务说明          the full text
 *      负责角色          学院领导 / 心理辅导员 / 辅导员 / 班主任
 *      截止规则          one of DUE_RULE_WORDS below
 *      提前开放天数      for 节前 / 考试周 / 考试周后 rules: the task opens this many days before it is due (blank: 7)
 *      缺少节日时        per holiday: "中秋节:并入国庆节；圣诞节:跳过"
 *      提醒              "提前3天,提前1天" (also 小时 / 分钟; "不提醒"); blank: the checklist's default
 *      升级              "逾期2天后上报学校" (level 2 this long after the due time); blank: the default
 *      佐证要求          items separated by "；": 须填写说明, 至少N个文件, 每项活动至少N张照片,
 *                        文件类型:图片、PDF, 须更新本月干预台账 (named documents: sheet 佐证文件)
 *  - 每月重点关爱人群: 月份 | 重点关爱人群 | 英文 (one row a group)
 *  - 佐证文件: 任务标识 | 文件标识 | 文件名称 | 英文名称
 *  - 清单信息: 项目 | 内容 (清单标识, 版本, 清单名称, 英文名称, 来源, 清单类型, 默认提醒, 默认升级)
 *  - 求助热线: 名称 | 英文名称 | 类型 (电话 / APP) | 号码
 *  - 填写说明: this vocabulary, for the person filling it in (not read back)
 *
 * Import collects every problem, each named by sheet, row and column in Chinese
 * (第 5 行 “截止规则” 列: 无法识别 “节前:端午”), and throws them together (ChecklistXlsxError);
 * nothing is returned on any error. Campaign checklists (phases, campaign-phase rules) are not
 * offered as xlsx.
 */
import ExcelJS from 'exceljs';
import {
  HOLIDAY_KIND_NAMES,
  templateSchema,
  type CollegeRole,
  type DueRule,
  type Template,
  type TemplateTask,
  type TaskKind,
} from './schema';

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
type TaskColumn = (typeof TASK_COLUMNS)[number];
const REQUIRED_TASK_COLUMNS: TaskColumn[] = ['月份或周次', '任务内容(标题)', '任务说明', '负责角色', '截止规则'];
const MONTH_SHEET = '每月重点关爱人群';
const DOC_SHEET = '佐证文件';
const INFO_SHEET = '清单信息';
const HOTLINE_SHEET = '求助热线';
const HELP_SHEET = '填写说明';

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
const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

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

const holidayWord = (kind: string) => (kind === 'vacation' ? '假期' : (HOLIDAY_KIND_NAMES[kind]?.zh ?? kind));
function holidayKind(word: string): string | undefined {
  const w = word.trim();
  if (w === '假期' || w === '放假') return 'vacation';
  for (const [kind, n] of Object.entries(HOLIDAY_KIND_NAMES)) if (n.zh === w) return kind;
  if (/^[a-z0-9][a-z0-9-]*$/.test(w)) return w;
  return undefined;
}

/** P3D → 3天, PT2H → 2小时, P1DT30M → 1天30分钟 */
function durationWords(iso: string): string {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!m) return iso;
  return `${m[1] !== undefined ? `${m[1]}天` : ''}${m[2] !== undefined ? `${m[2]}小时` : ''}${m[3] !== undefined ? `${m[3]}分钟` : ''}`;
}
function durationOf(words: string): string | undefined {
  const m = /^(?:(\d+)天)?(?:(\d+)(?:小时|个小时))?(?:(\d+)分钟)?$/.exec(words);
  if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) return undefined;
  const time =
    m[2] !== undefined || m[3] !== undefined
      ? `T${m[2] !== undefined ? `${m[2]}H` : ''}${m[3] !== undefined ? `${m[3]}M` : ''}`
      : '';
  return `P${m[1] !== undefined ? `${m[1]}D` : ''}${time}`;
}
const remindWords = (list: string[]) => (list.length ? list.map((d) => `提前${durationWords(d)}`).join(',') : '不提醒');
function remindOf(text: string): string[] | undefined {
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
const escalationWords = (iso: string) => `逾期${durationWords(iso)}后上报学校`;
function escalationOf(text: string): string | undefined {
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
function dueRuleOf(text: string): { rule: Record<string, unknown>; week?: number } | undefined {
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

function evidenceWords(e: TemplateTask['evidence']): string {
  const items: string[] = [e.note === 'required' ? '须填写说明' : '说明可选'];
  if (e.minFiles > 0) items.push(`至少${e.minFiles}个文件`);
  if (e.minPhotosPerActivity !== undefined) items.push(`每项活动至少${e.minPhotosPerActivity}张照片`);
  if (!(e.accept.length === 2 && e.accept[0] === 'image' && e.accept[1] === 'pdf'))
    items.push(`文件类型:${e.accept.map((a) => (a === 'image' ? '图片' : 'PDF')).join('、')}`);
  if (e.ledgerMonthlyReview) items.push('须更新本月干预台账');
  return items.join('；');
}
function evidenceOf(text: string): { value: Record<string, unknown> } | { bad: string } {
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

/** The checklist as an .xlsx workbook (Buffer). */
export async function checklistToXlsx(template: Template): Promise<Buffer> {
  if (template.kind !== 'semester-checklist' || template.phases.length)
    throw new ChecklistXlsxError([`清单 ${template.id} 是专项活动（含阶段），不能写成 xlsx；请使用 JSON`]);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'mental-health duty tracker';
  const header = (ws: ExcelJS.Worksheet, cols: Array<{ header: string; width: number }>) => {
    ws.columns = cols.map((c) => ({ header: c.header, key: c.header, width: c.width }));
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  };
  const tasks = wb.addWorksheet(TASK_SHEET);
  const widths: Record<TaskColumn, number> = {
    月份或周次: 10,
    任务编号: 8,
    任务标识: 28,
    任务类型: 12,
    '任务内容(标题)': 26,
    英文标题: 30,
    任务说明: 60,
    负责角色: 12,
    截止规则: 30,
    提前开放天数: 10,
    缺少节日时: 22,
    提醒: 18,
    升级: 18,
    佐证要求: 30,
  };
  header(
    tasks,
    TASK_COLUMNS.map((c) => ({ header: c, width: widths[c] })),
  );
  for (const x of template.tasks) {
    const due = x.due;
    const row: Record<TaskColumn, string | number> = {
      月份或周次: x.month !== undefined ? `${x.month}月` : x.week !== undefined ? `第${x.week}周` : '',
      任务编号: x.number ?? '',
      任务标识: x.id,
      任务类型: KIND_WORDS[x.kind],
      '任务内容(标题)': x.title.zh,
      英文标题: x.title.en,
      任务说明: x.textZh,
      负责角色: ROLE_WORDS[x.ownerRole],
      截止规则: dueRuleWords(due),
      提前开放天数: 'opensDaysBefore' in due && due.opensDaysBefore !== undefined ? due.opensDaysBefore : '',
      缺少节日时:
        due.type === 'before-holiday'
          ? Object.entries(due.ifMissing)
              .map(
                ([k, r]) =>
                  `${holidayWord(k)}:${r === 'skip' ? '跳过' : `并入${holidayWord(r.slice('merge-into:'.length))}`}`,
              )
              .join('；')
          : '',
      提醒: x.ladder?.remindBefore ? remindWords(x.ladder.remindBefore) : '',
      升级: x.ladder?.level2After ? escalationWords(x.ladder.level2After) : '',
      佐证要求: evidenceWords(x.evidence),
    };
    tasks.addRow(row).alignment = { wrapText: true, vertical: 'top' };
  }
  const months = wb.addWorksheet(MONTH_SHEET);
  header(months, [
    { header: '月份', width: 8 },
    { header: '重点关爱人群', width: 70 },
    { header: '英文', width: 70 },
  ]);
  for (const m of template.months)
    for (const g of m.keyCareGroups)
      months.addRow([`${m.month}月`, g.zh, g.en]).alignment = { wrapText: true, vertical: 'top' };
  const docs = wb.addWorksheet(DOC_SHEET);
  header(docs, [
    { header: '任务标识', width: 28 },
    { header: '文件标识', width: 14 },
    { header: '文件名称', width: 36 },
    { header: '英文名称', width: 40 },
  ]);
  for (const x of template.tasks) for (const d of x.evidence.documents) docs.addRow([x.id, d.id, d.zh, d.en]);
  const info = wb.addWorksheet(INFO_SHEET);
  header(info, [
    { header: '项目', width: 12 },
    { header: '内容', width: 90 },
  ]);
  info.addRows([
    ['清单标识', template.id],
    ['版本', template.version],
    ['清单名称', template.title.zh],
    ['英文名称', template.title.en],
    ['来源', template.source],
    ['清单类型', '学期工作清单'],
    ['默认提醒', remindWords(template.ladder.remindBefore)],
    ['默认升级', escalationWords(template.ladder.level2After)],
  ]);
  const hotlines = wb.addWorksheet(HOTLINE_SHEET);
  header(hotlines, [
    { header: '名称', width: 30 },
    { header: '英文名称', width: 40 },
    { header: '类型', width: 8 },
    { header: '号码', width: 16 },
  ]);
  for (const h of template.hotlines)
    hotlines.addRow([h.name.zh, h.name.en, h.kind === 'app' ? 'APP' : '电话', h.number ?? '']);
  const help = wb.addWorksheet(HELP_SHEET);
  header(help, [
    { header: '截止规则的写法', width: 40 },
    { header: '含义', width: 90 },
  ]);
  help.addRows(DUE_RULE_WORDS.map(([w, meaning]) => [w, meaning]));
  help.addRows([
    [],
    ['节日名称', [...Object.values(HOLIDAY_KIND_NAMES).map((n) => n.zh)].join('、')],
    ['负责角色', Object.values(ROLE_WORDS).join('、')],
    [
      '任务类型',
      Object.values(KIND_WORDS)
        .filter((k) => k !== '活动阶段')
        .join('、'),
    ],
    ['缺少节日时', '节日:跳过 或 节日:并入另一节日，多条用 ；分开（如 中秋节:并入国庆节）'],
    ['提醒', '提前3天,提前1天（也可写 小时、分钟）；不提醒'],
    ['升级', '逾期2天后上报学校'],
    [
      '佐证要求',
      '须填写说明；至少1个文件；每项活动至少2张照片；文件类型:图片、PDF；须更新本月干预台账（需提交的具名文件写在 “佐证文件” 表）',
    ],
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---------------------------------------------------------------------------------------------
// import

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value as unknown;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown };
    if (Array.isArray(o.richText))
      return o.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if (o.text !== undefined) return String(o.text).trim();
    if (o.result !== undefined) return String(o.result).trim();
  }
  return String(v).trim();
}

interface SheetRows {
  rows: Array<{ n: number; get: (col: string) => string }>;
  missing: string[];
}
function readSheet(ws: ExcelJS.Worksheet, required: readonly string[]): SheetRows {
  const cols = new Map<string, number>();
  ws.getRow(1).eachCell((cell, col) => {
    const h = cellText(cell).replace(/（/g, '(').replace(/）/g, ')').replace(/\s+/g, '');
    if (h) cols.set(h, col);
  });
  const rows: SheetRows['rows'] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const get = (col: string) => {
      const c = cols.get(col);
      return c === undefined ? '' : cellText(row.getCell(c));
    };
    if ([...cols.values()].every((c) => cellText(row.getCell(c)) === '')) return;
    rows.push({ n, get });
  });
  return { rows, missing: required.filter((h) => !cols.has(h)) };
}

/**
 * Reads a checklist workbook. Every problem is collected and thrown at once (ChecklistXlsxError),
 * each naming the sheet (other than 任务清单), the row and the column.
 */
export async function checklistFromXlsx(buffer: Buffer, opts: { maxBytes?: number } = {}): Promise<Template> {
  const max = opts.maxBytes ?? MAX_XLSX_BYTES;
  if (buffer.length === 0) throw new ChecklistXlsxError(['文件是空的']);
  if (buffer.length > max)
    throw new ChecklistXlsxError([
      `文件太大（${(buffer.length / 1024 / 1024).toFixed(1)} MB），最大 ${(max / 1024 / 1024).toFixed(0)} MB`,
    ]);
  if (buffer.subarray(0, 4).toString('binary') !== 'PK\x03\x04')
    throw new ChecklistXlsxError(['这不是 xlsx 文件（Excel 工作簿）：请在 Excel 或 WPS 中 “另存为 .xlsx”']);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch (e) {
    throw new ChecklistXlsxError([`无法读取这个 xlsx 文件（${e instanceof Error ? e.message : String(e)}）`]);
  }
  const problems: string[] = [];
  const at = (sheet: string, n: number, col: string, what: string) =>
    problems.push(`${sheet === TASK_SHEET ? '' : `“${sheet}” 表`}第 ${n} 行 “${col}” 列: ${what}`);
  const taskSheet = wb.getWorksheet(TASK_SHEET);
  if (!taskSheet)
    throw new ChecklistXlsxError([
      `缺少 “${TASK_SHEET}” 工作表（找到的工作表：${wb.worksheets.map((w) => w.name).join('、') || '无'}）`,
    ]);
  const sheet = readSheet(taskSheet, REQUIRED_TASK_COLUMNS);
  if (sheet.missing.length)
    throw new ChecklistXlsxError([
      `“${TASK_SHEET}” 表第 1 行缺少列: ${sheet.missing.join('、')}（表头应为: ${TASK_COLUMNS.join('、')}）`,
    ]);
  if (!sheet.rows.length) throw new ChecklistXlsxError([`“${TASK_SHEET}” 表没有任务`]);

  // 清单信息
  const info = new Map<string, { n: number; value: string }>();
  const infoSheet = wb.getWorksheet(INFO_SHEET);
  if (!infoSheet) problems.push(`缺少 “${INFO_SHEET}” 工作表（清单标识、版本、清单名称 …）`);
  else {
    const s = readSheet(infoSheet, ['项目', '内容']);
    if (s.missing.length) problems.push(`“${INFO_SHEET}” 表第 1 行缺少列: ${s.missing.join('、')}`);
    for (const r of s.rows) info.set(r.get('项目'), { n: r.n, value: r.get('内容') });
  }
  const infoValue = (key: string, need: boolean): { n: number; value: string } | undefined => {
    const v = info.get(key);
    if ((!v || !v.value) && need && infoSheet) problems.push(`“${INFO_SHEET}” 表缺少 “${key}”`);
    return v && v.value ? v : undefined;
  };
  const id = infoValue('清单标识', true);
  if (id && !/^[a-z0-9][a-z0-9-]*$/.test(id.value))
    at(INFO_SHEET, id.n, '内容', `清单标识 “${id.value}” 只能用小写字母、数字和短横线`);
  const version = infoValue('版本', false);
  if (version && !/^[1-9]\d*$/.test(version.value))
    at(INFO_SHEET, version.n, '内容', `版本 “${version.value}” 不是正整数`);
  const titleZh = infoValue('清单名称', true);
  const titleEn = infoValue('英文名称', false);
  const source = infoValue('来源', false);
  const kind = infoValue('清单类型', false);
  if (kind && kind.value !== '学期工作清单')
    at(INFO_SHEET, kind.n, '内容', `清单类型只能是 学期工作清单，不是 “${kind.value}”`);
  const ladder: Record<string, unknown> = {};
  const dr = infoValue('默认提醒', false);
  if (dr) {
    const r = remindOf(dr.value.replace(/\s+/g, ''));
    if (r) ladder.remindBefore = r;
    else at(INFO_SHEET, dr.n, '内容', `无法识别默认提醒 “${dr.value}”（写法如 提前3天,提前1天）`);
  }
  const de = infoValue('默认升级', false);
  if (de) {
    const r = escalationOf(de.value.replace(/\s+/g, ''));
    if (r) ladder.level2After = r;
    else at(INFO_SHEET, de.n, '内容', `无法识别默认升级 “${de.value}”（写法如 逾期2天后上报学校）`);
  }

  // 求助热线
  const hotlines: Array<Record<string, unknown>> = [];
  const hs = wb.getWorksheet(HOTLINE_SHEET);
  if (hs) {
    const s = readSheet(hs, ['名称', '类型']);
    if (s.missing.length) problems.push(`“${HOTLINE_SHEET}” 表第 1 行缺少列: ${s.missing.join('、')}`);
    else
      for (const r of s.rows) {
        const name = r.get('名称');
        const kindWord = r.get('类型').toUpperCase();
        const number = r.get('号码');
        if (!name) at(HOTLINE_SHEET, r.n, '名称', '不能为空');
        if (kindWord !== '电话' && kindWord !== 'APP')
          at(HOTLINE_SHEET, r.n, '类型', `只能是 电话 或 APP，不是 “${r.get('类型')}”`);
        if (kindWord === '电话' && number.length < 3) at(HOTLINE_SHEET, r.n, '号码', '电话热线需要号码');
        hotlines.push({
          name: { zh: name, en: r.get('英文名称') || name },
          kind: kindWord === 'APP' ? 'app' : 'phone',
          ...(number ? { number } : {}),
        });
      }
  }

  // 每月重点关爱人群
  const monthGroups = new Map<number, Array<{ zh: string; en: string }>>();
  const ms = wb.getWorksheet(MONTH_SHEET);
  if (ms) {
    const s = readSheet(ms, ['月份', '重点关爱人群']);
    if (s.missing.length) problems.push(`“${MONTH_SHEET}” 表第 1 行缺少列: ${s.missing.join('、')}`);
    else
      for (const r of s.rows) {
        const m = /^(\d{1,2})月?$/.exec(r.get('月份'));
        const month = m ? Number(m[1]) : NaN;
        if (!(month >= 1 && month <= 12)) at(MONTH_SHEET, r.n, '月份', `无法识别 “${r.get('月份')}”（写法如 9月）`);
        const zh = r.get('重点关爱人群');
        if (!zh) at(MONTH_SHEET, r.n, '重点关爱人群', '不能为空');
        if (month >= 1 && month <= 12 && zh)
          monthGroups.set(month, [...(monthGroups.get(month) ?? []), { zh, en: r.get('英文') || zh }]);
      }
  }

  // 佐证文件
  const documents = new Map<string, Array<{ id: string; zh: string; en: string }>>();
  const docRows = new Map<string, number>();
  const ds = wb.getWorksheet(DOC_SHEET);
  if (ds) {
    const s = readSheet(ds, ['任务标识', '文件标识', '文件名称']);
    if (s.missing.length) problems.push(`“${DOC_SHEET}” 表第 1 行缺少列: ${s.missing.join('、')}`);
    else
      for (const r of s.rows) {
        const task = r.get('任务标识');
        const docId = r.get('文件标识');
        const zh = r.get('文件名称');
        if (!task) at(DOC_SHEET, r.n, '任务标识', '不能为空');
        if (!/^[a-z0-9][a-z0-9-]*$/.test(docId))
          at(DOC_SHEET, r.n, '文件标识', `“${docId}” 只能用小写字母、数字和短横线`);
        if (!zh) at(DOC_SHEET, r.n, '文件名称', '不能为空');
        documents.set(task, [...(documents.get(task) ?? []), { id: docId, zh, en: r.get('英文名称') || zh }]);
        if (!docRows.has(task)) docRows.set(task, r.n);
      }
  }

  // 任务清单
  const tasks: Array<Record<string, unknown>> = [];
  const rowOfTask: number[] = [];
  const ids = new Map<string, number>();
  for (const r of sheet.rows) {
    const bad = (col: TaskColumn, what: string) => at(TASK_SHEET, r.n, col, what);
    const task: Record<string, unknown> = {};
    const when = r.get('月份或周次').replace(/\s+/g, '');
    let m: RegExpExecArray | null;
    if ((m = /^(\d{1,2})月?$/.exec(when)) && Number(m[1]) >= 1 && Number(m[1]) <= 12) task.month = Number(m[1]);
    else if ((m = /^第(\d{1,2})周$/.exec(when)) && Number(m[1]) >= 1 && Number(m[1]) <= 30) task.week = Number(m[1]);
    else if (when) bad('月份或周次', `无法识别 “${when}”（写法如 9月 或 第3周）`);
    const number = r.get('任务编号');
    if (number) {
      if (/^[1-9]\d{0,2}$/.test(number)) task.number = Number(number);
      else bad('任务编号', `“${number}” 不是正整数`);
    }
    const titleZh = r.get('任务内容(标题)');
    if (!titleZh) bad('任务内容(标题)', '不能为空');
    task.title = { zh: titleZh, en: r.get('英文标题') || titleZh };
    const text = r.get('任务说明');
    task.textZh = text || titleZh;
    const roleWord = r.get('负责角色');
    const role = (Object.entries(ROLE_WORDS) as Array<[CollegeRole, string]>).find(
      ([id, w]) => w === roleWord || id === roleWord,
    )?.[0];
    if (!role)
      bad(
        '负责角色',
        roleWord
          ? `无法识别 “${roleWord}”（可选: ${Object.values(ROLE_WORDS).join('、')}）`
          : `不能为空（可选: ${Object.values(ROLE_WORDS).join('、')}）`,
      );
    else task.ownerRole = role;
    const ruleText = r.get('截止规则');
    const parsed = ruleText ? dueRuleOf(ruleText) : undefined;
    const due: Record<string, unknown> | undefined = parsed?.rule;
    if (!ruleText) bad('截止规则', '不能为空');
    else if (!parsed)
      bad(
        '截止规则',
        `无法识别 “${ruleText}”（写法见 “${HELP_SHEET}” 表，如 当月最后一个工作日、节前最后一个工作日:国庆节、每周、考试周）`,
      );
    else if (parsed.week !== undefined) {
      if (task.month !== undefined || (task.week !== undefined && task.week !== parsed.week))
        bad('截止规则', `“${ruleText}” 与 月份或周次 “${when}” 不一致`);
      else task.week = parsed.week;
    }
    if (due?.type === 'in-month' && task.month === undefined && !(when && task.week === undefined))
      bad('月份或周次', `“${ruleText}” 需要填写月份（如 9月）`);
    if (
      due?.type === 'in-week' &&
      task.week === undefined &&
      task.month === undefined &&
      !(when && task.month === undefined)
    )
      bad('月份或周次', `“${ruleText}” 需要填写周次（如 第3周）`);
    if (due?.type === 'in-week' && task.month !== undefined)
      bad('月份或周次', `“${ruleText}” 属于某一周，月份或周次 应写 第N周，不是 “${when}”`);
    const opens = r.get('提前开放天数');
    if (opens) {
      if (!due || !['before-holiday', 'exam-week', 'after-exam-weeks'].includes(String(due.type))) {
        if (due) bad('提前开放天数', '只有 节前、考试周、考试周后 的截止规则可以填写');
      } else if (/^\d{1,2}$/.test(opens) && Number(opens) <= 60) due.opensDaysBefore = Number(opens);
      else bad('提前开放天数', `“${opens}” 应为 0 到 60 的整数`);
    }
    const missing = r.get('缺少节日时').replace(/：/g, ':').replace(/\s+/g, '');
    if (missing) {
      if (due?.type !== 'before-holiday') {
        if (due) bad('缺少节日时', '只有 节前最后一个工作日 的截止规则可以填写');
      } else {
        const ifMissing: Record<string, string> = {};
        for (const part of missing.split(/[;；\n]/).filter(Boolean)) {
          const pm = /^(.+?):(跳过|并入(.+))$/.exec(part);
          const kind = pm && holidayKind(pm[1]!);
          const into = pm?.[3] !== undefined ? holidayKind(pm[3]) : undefined;
          if (!pm || !kind || (pm[3] !== undefined && !into))
            bad('缺少节日时', `无法识别 “${part}”（写法如 中秋节:并入国庆节 或 圣诞节:跳过）`);
          else if (!(due.holidays as string[]).includes(kind)) bad('缺少节日时', `“${pm[1]}” 不在截止规则所列的节日中`);
          else ifMissing[kind] = into ? `merge-into:${into}` : 'skip';
        }
        due.ifMissing = ifMissing;
      }
    }
    if (due) task.due = due;
    const kindText = r.get('任务类型');
    const kindOf = (Object.entries(KIND_WORDS) as Array<[TaskKind, string]>).find(
      ([k, w]) => (w === kindText || k === kindText) && k !== 'campaign-phase',
    )?.[0];
    if (kindText && !kindOf)
      bad(
        '任务类型',
        `无法识别 “${kindText}”（可选: ${Object.values(KIND_WORDS)
          .filter((k) => k !== '活动阶段')
          .join('、')}）`,
      );
    task.kind =
      kindOf ??
      (due?.type === 'weekly'
        ? 'weekly'
        : due?.type === 'before-holiday'
          ? 'before-holiday'
          : due?.type === 'exam-week'
            ? 'exam-week'
            : 'once');
    const taskLadder: Record<string, unknown> = {};
    const remind = r.get('提醒').replace(/\s+/g, '');
    if (remind) {
      const v = remindOf(remind);
      if (v) taskLadder.remindBefore = v;
      else bad('提醒', `无法识别 “${remind}”（写法如 提前3天,提前1天，或 不提醒）`);
    }
    const esc = r.get('升级').replace(/\s+/g, '');
    if (esc) {
      const v = escalationOf(esc);
      if (v) taskLadder.level2After = v;
      else bad('升级', `无法识别 “${esc}”（写法如 逾期2天后上报学校）`);
    }
    if (Object.keys(taskLadder).length) task.ladder = taskLadder;
    const ev = evidenceOf(r.get('佐证要求'));
    if ('bad' in ev)
      bad(
        '佐证要求',
        `无法识别 “${ev.bad}”（可写: 须填写说明、说明可选、至少N个文件、每项活动至少N张照片、文件类型:图片、PDF、须更新本月干预台账）`,
      );
    const evidence: Record<string, unknown> = 'value' in ev ? ev.value : {};
    // the id: as written, else made up from the month or week and the number
    let taskId = r.get('任务标识');
    if (taskId && !/^[a-z0-9][a-z0-9-]*$/.test(taskId))
      bad('任务标识', `“${taskId}” 只能用小写字母、数字和短横线（新任务可留空）`);
    if (!taskId) {
      const base = `${task.month !== undefined ? `m${task.month}` : task.week !== undefined ? `w${task.week}` : 't'}-${task.number ?? tasks.length + 1}`;
      taskId = ids.has(base) ? `${base}-r${r.n}` : base;
    }
    const prev = ids.get(taskId);
    if (prev !== undefined) bad('任务标识', `“${taskId}” 重复（第 ${prev} 行也用了）`);
    ids.set(taskId, r.n);
    task.id = taskId;
    const docs = documents.get(taskId);
    if (docs) evidence.documents = docs;
    task.evidence = evidence;
    tasks.push(task);
    rowOfTask.push(r.n);
  }
  for (const [task, n] of docRows)
    if (!ids.has(task)) at(DOC_SHEET, n, '任务标识', `“${task}” 不是 “${TASK_SHEET}” 表中的任务`);
  if (problems.length) throw new ChecklistXlsxError(problems);

  const raw = {
    format: 2,
    id: id!.value,
    version: version ? Number(version.value) : 1,
    title: { zh: titleZh!.value, en: titleEn?.value || titleZh!.value },
    source: source?.value || 'xlsx',
    kind: 'semester-checklist',
    hotlines,
    months: [...monthGroups].map(([month, keyCareGroups]) => ({ month, keyCareGroups })),
    phases: [],
    ...(Object.keys(ladder).length ? { ladder: { remindBefore: ['P3D', 'P1D'], level2After: 'P2D', ...ladder } } : {}),
    tasks,
  };
  const result = templateSchema.safeParse(raw);
  if (!result.success) {
    // what the checks above have not caught: named by the task's row where the path has one
    throw new ChecklistXlsxError(
      result.error.issues.map((i) => {
        const [head, index, field] = i.path;
        if (head === 'tasks' && typeof index === 'number') {
          const col =
            field === 'id'
              ? '任务标识'
              : field === 'month' || field === 'week'
                ? '月份或周次'
                : field === 'due'
                  ? '截止规则'
                  : field === 'evidence'
                    ? '佐证要求'
                    : field === 'ladder'
                      ? '提醒'
                      : field === 'title'
                        ? '任务内容(标题)'
                        : field === 'ownerRole'
                          ? '负责角色'
                          : String(field ?? '');
          return `第 ${rowOfTask[index]} 行 “${col}” 列: ${i.message}`;
        }
        return `${i.path.join('.')}: ${i.message}`;
      }),
    );
  }
  return result.data;
}
