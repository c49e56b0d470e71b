/**
 * The school's roster as records: an xlsx workbook (its first worksheet, exceljs) or a CSV file
 * (UTF-8 or GBK, server/platform/csv.ts). Records are rows of cell texts, the header first.
 */
import ExcelJS from 'exceljs';
import { decodeCsv, ImportError, MAX_CSV_CELL, parseCsvAsync } from '../../platform/csv';

/** A workbook is a ZIP file: it starts with "PK\x03\x04". */
export const isXlsx = (bytes: Buffer): boolean =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

/** At most this many rows are read from a workbook (the import refuses more anyway). */
const MAX_SHEET_ROWS = 20_001;

export async function rosterRecords(bytes: Buffer): Promise<string[][]> {
  if (!isXlsx(bytes)) return parseCsvAsync(decodeCsv(bytes));
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw new ImportError([`the workbook cannot be read: ${e instanceof Error ? e.message : String(e)}`]);
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw new ImportError(['the workbook has no worksheet']);
  if (sheet.rowCount > MAX_SHEET_ROWS)
    throw new ImportError([`the worksheet has more than ${MAX_SHEET_ROWS - 1} rows`]);
  const records: string[][] = [];
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) {
      const text = row.getCell(c).text ?? '';
      if (text.length > MAX_CSV_CELL)
        throw new ImportError([`第 ${r} 行: a cell is longer than ${MAX_CSV_CELL} characters`]);
      cells.push(text);
    }
    records.push(cells);
  }
  return records;
}
