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
// the workbook's parts (issue 13: files under 300 lines); this module stays the entry
export {
  ChecklistXlsxError,
  DUE_RULE_WORDS,
  dueRuleWords,
  KIND_WORDS,
  MAX_XLSX_BYTES,
  ROLE_WORDS,
  TASK_COLUMNS,
  TASK_SHEET,
} from './checklist-xlsx/words';
export { checklistToXlsx } from './checklist-xlsx/write';
export { checklistFromXlsx } from './checklist-xlsx/read';
