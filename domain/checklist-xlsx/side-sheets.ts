/**
 * The workbook's side sheets (../checklist-xlsx.ts): 求助热线, 每月重点关爱人群 and 佐证文件. Each
 * reader adds its problems to `problems` (named by sheet, row and column) and returns what it read.
 */
import type ExcelJS from 'exceljs';
import { readSheet } from './sheet';
import { DOC_SHEET, HOTLINE_SHEET, MONTH_SHEET } from './words';

/** Records a problem of one cell: sheet, row, column, what. */
export type At = (sheet: string, n: number, col: string, what: string) => void;

export function readHotlines(wb: ExcelJS.Workbook, problems: string[], at: At): Array<Record<string, unknown>> {
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
  return hotlines;
}

export function readMonthGroups(
  wb: ExcelJS.Workbook,
  problems: string[],
  at: At,
): Map<number, Array<{ zh: string; en: string }>> {
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
  return monthGroups;
}

export function readDocuments(
  wb: ExcelJS.Workbook,
  problems: string[],
  at: At,
): {
  documents: Map<string, Array<{ id: string; zh: string; en: string }>>;
  docRows: Map<string, number>;
} {
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
  return { documents, docRows };
}
