/** A checklist as a workbook (../checklist-xlsx.ts). */
import ExcelJS from 'exceljs';
import { HOLIDAY_KIND_NAMES, type Template } from '../schema';
import {
  ChecklistXlsxError,
  DOC_SHEET,
  DUE_RULE_WORDS,
  HELP_SHEET,
  HOTLINE_SHEET,
  INFO_SHEET,
  KIND_WORDS,
  MONTH_SHEET,
  ROLE_WORDS,
  TASK_COLUMNS,
  TASK_SHEET,
  type TaskColumn,
  dueRuleWords,
  escalationWords,
  evidenceWords,
  holidayWord,
  remindWords,
} from './words';

export async function checklistToXlsx(template: Template): Promise<Buffer> {
  if (template.kind !== 'semester-checklist' || template.phases.length)
    throw new ChecklistXlsxError([`清单 ${template.id} 是专项活动（含阶段），不能写成 xlsx；请使用 JSON`]);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'mental-health duty tracker';
  /** a sheet with its columns' headings (bold, frozen) and widths */
  const sheet = (name: string, cols: Array<[header: string, width: number]>) => {
    const ws = wb.addWorksheet(name);
    ws.columns = cols.map(([header, width]) => ({ header, key: header, width }));
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    return ws;
  };
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
  const tasks = sheet(
    TASK_SHEET,
    TASK_COLUMNS.map((c) => [c, widths[c]]),
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
  const months = sheet(MONTH_SHEET, [
    ['月份', 8],
    ['重点关爱人群', 70],
    ['英文', 70],
  ]);
  for (const m of template.months)
    for (const g of m.keyCareGroups)
      months.addRow([`${m.month}月`, g.zh, g.en]).alignment = { wrapText: true, vertical: 'top' };
  const docs = sheet(DOC_SHEET, [
    ['任务标识', 28],
    ['文件标识', 14],
    ['文件名称', 36],
    ['英文名称', 40],
  ]);
  for (const x of template.tasks) for (const d of x.evidence.documents) docs.addRow([x.id, d.id, d.zh, d.en]);
  const info = sheet(INFO_SHEET, [
    ['项目', 12],
    ['内容', 90],
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
  const hotlines = sheet(HOTLINE_SHEET, [
    ['名称', 30],
    ['英文名称', 40],
    ['类型', 8],
    ['号码', 16],
  ]);
  for (const h of template.hotlines)
    hotlines.addRow([h.name.zh, h.name.en, h.kind === 'app' ? 'APP' : '电话', h.number ?? '']);
  const help = sheet(HELP_SHEET, [
    ['截止规则的写法', 40],
    ['含义', 90],
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
