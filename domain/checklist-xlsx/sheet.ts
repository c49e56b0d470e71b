/** A worksheet's rows, its columns found by their header (../checklist-xlsx.ts). */
import type ExcelJS from 'exceljs';

export function cellText(cell: ExcelJS.Cell): string {
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

export interface SheetRows {
  rows: Array<{ n: number; get: (col: string) => string }>;
  missing: string[];
}
export function readSheet(ws: ExcelJS.Worksheet, required: readonly string[]): SheetRows {
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
