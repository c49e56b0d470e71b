/**
 * Tables as downloads: CSV is UTF-8 with a BOM (so Chinese Excel reads it), CRLF, RFC 4180 quoting;
 * XLSX is streamed. Text cells that a spreadsheet would run as a formula (= + - @, full-width
 * ＝ ＋ － ＠, a leading tab or CR) get a leading apostrophe in CSV and XLSX alike: an XLSX text cell
 * is no formula when opened, but becomes one when edited and confirmed.
 */
import ExcelJS from 'exceljs';
import type { Response } from 'express';

type Cell = string | number | null;
export interface Table {
  sheet: string;
  /** file name without extension, and an ASCII fallback for old clients */
  file: string;
  fileAscii: string;
  columns: Array<{ header: string; width: number; numFmt?: string }>;
  rows: Cell[][];
}

export const FORMATS = ['csv', 'xlsx'] as const;
export type Format = (typeof FORMATS)[number];
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Sends a table as a CSV (UTF-8 with BOM, formula-safe) or .xlsx download. */
export async function sendTable(res: Response, format: Format, table: Table): Promise<void> {
  const encode = (s: string) =>
    encodeURIComponent(s).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  const ascii = `${table.fileAscii}.${format}`.replace(/[^A-Za-z0-9._-]/g, '_');
  res.set({
    'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encode(`${table.file}.${format}`)}`,
    'Cache-Control': 'no-store',
  });
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8').send(toCsv(table));
    return;
  }
  await sendXlsx(res, table);
}

/**
 * A text a spreadsheet would evaluate: = + - @ (ASCII or full-width ＝ ＋ － ＠, which Excel and WPS
 * on Chinese systems also take for a formula), or a leading tab or CR.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
/** Such a text gets a leading apostrophe, in CSV and XLSX alike. */
export const formulaSafe = (s: string): string => (FORMULA_START.test(s) ? `'${s}` : s);

function csvCell(value: Cell, numFmt?: string): string {
  if (value === null) return '';
  let s = typeof value === 'number' && numFmt === '0.0%' ? `${(value * 100).toFixed(1)}%` : String(value);
  if (typeof value === 'string') s = formulaSafe(s);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(table: Table): string {
  const header = table.columns.map((c) => csvCell(c.header)).join(',');
  const lines = table.rows.map((r) => r.map((v, i) => csvCell(v, table.columns[i]?.numFmt)).join(','));
  return `\uFEFF${[header, ...lines].join('\r\n')}\r\n`;
}

async function sendXlsx(res: Response, table: Table): Promise<void> {
  res.type(XLSX_TYPE);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true });
  try {
    const ws = wb.addWorksheet(table.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = table.columns.map((c) => ({ width: c.width }));
    const header = ws.addRow(table.columns.map((c) => c.header));
    header.font = { bold: true };
    header.commit();
    for (const values of table.rows) {
      const row = ws.addRow(values.map((v) => (typeof v === 'string' ? formulaSafe(v) : v)));
      table.columns.forEach((c, i) => {
        if (c.numFmt) row.getCell(i + 1).numFmt = c.numFmt;
      });
      row.commit();
    }
    ws.commit();
    await wb.commit();
  } catch (err) {
    // the response has started: the client can only be told by a broken download
    if (!res.headersSent) throw err;
    res.destroy(err as Error);
  }
}
