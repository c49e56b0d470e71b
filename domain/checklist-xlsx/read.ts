/** A checklist from a workbook (../checklist-xlsx.ts). */
import ExcelJS from 'exceljs';
import { templateSchema, type CollegeRole, type Template, type TaskKind } from '../schema';
import { readSheet } from './sheet';
import { readDocuments, readHotlines, readMonthGroups } from './side-sheets';
import {
  ChecklistXlsxError,
  DOC_SHEET,
  HELP_SHEET,
  INFO_SHEET,
  KIND_WORDS,
  MAX_XLSX_BYTES,
  REQUIRED_TASK_COLUMNS,
  ROLE_WORDS,
  TASK_COLUMNS,
  TASK_SHEET,
  type TaskColumn,
  dueRuleOf,
  escalationOf,
  evidenceOf,
  holidayKind,
  remindOf,
} from './words';

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

  const hotlines = readHotlines(wb, problems, at);
  const monthGroups = readMonthGroups(wb, problems, at);
  const { documents, docRows } = readDocuments(wb, problems, at);

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
