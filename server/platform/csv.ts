/**
 * CSV files of the imports (users, screening warnings): decoding (UTF-8 or GBK), parsing with
 * limits, and the header-and-rows reading that names every problem by line (ImportError).
 */
import iconv from 'iconv-lite';
import { BadRequestError } from './errors';

/** A cell longer than this is refused (a name, a class, a college: far shorter). */
export const MAX_CSV_CELL = 2000;
/** A line (record) longer than this is refused. */
export const MAX_CSV_LINE = 20_000;
/** The async parser yields to the event loop after this many records. */
const CSV_RECORDS_PER_TURN = 1000;

const UNSUPPORTED_UTF16 =
  'unsupported encoding: UTF-16; save the file as UTF-8 or GBK (不支持的编码：请将文件另存为 UTF-8 或 GBK)';

/** UTF-16 by its byte order mark, or by NUL bytes (text in UTF-8 and GBK has none; UTF-16 has one in every other byte of ASCII). */
function looksUtf16(bytes: Buffer): boolean {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)))
    return true;
  const sample = bytes.subarray(0, 4096);
  let nul = 0;
  for (const byte of sample) if (byte === 0) nul++;
  return sample.length > 0 && nul / sample.length > 0.1;
}

/**
 * UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise GBK (Excel on Chinese
 * Windows). UTF-16 (Excel's "Unicode text") is refused with a message saying what to save as.
 */
export function decodeCsv(bytes: Buffer): string {
  if (looksUtf16(bytes)) throw new ImportError([UNSUPPORTED_UTF16]);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes); // drops a leading BOM
  } catch {
    return iconv.decode(bytes, 'gbk');
  }
}

/**
 * RFC 4180 records, one at a time: comma-separated, fields in double quotes may hold commas,
 * newlines and `""`. Accepts LF and CRLF. A cell over MAX_CSV_CELL or a record over MAX_CSV_LINE
 * characters throws ImportError naming its line (record number, the header is line 1) as soon
 * as the limit is passed, so a huge cell costs no more than the limit.
 */
function* csvRecords(text: string): Generator<string[]> {
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let recordStart = 0;
  let line = 1;
  const tooLong = (what: string, max: number) =>
    new ImportError([`第 ${line} 行: a ${what} is longer than ${max} characters`]);
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (i - recordStart > MAX_CSV_LINE) throw tooLong('line', MAX_CSV_LINE);
    if (quoted) {
      // the run up to the next quote, in one slice
      const q = text.indexOf('"', i);
      const end = q === -1 ? n : q;
      if (field.length + (end - i) > MAX_CSV_CELL) throw tooLong('cell', MAX_CSV_CELL);
      field += text.slice(i, end);
      if (q === -1) break; // the cell runs to the end of the text
      if (text[q + 1] === '"') {
        field += '"';
        i = q + 2;
      } else {
        quoted = false;
        i = q + 1;
      }
      continue;
    }
    const c = text[i]!;
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      record.push(field);
      yield record;
      record = [];
      field = '';
      recordStart = i;
      line++;
    } else {
      // the run of plain characters, in one slice
      let end = i + 1;
      while (end < n && end - i <= MAX_CSV_CELL) {
        const d = text.charCodeAt(end);
        if (d === 44 || d === 10 || d === 13 || d === 34) break;
        end++;
      }
      if (field.length + (end - i) > MAX_CSV_CELL) throw tooLong('cell', MAX_CSV_CELL);
      field += text.slice(i, end);
      i = end;
    }
  }
  if (n - recordStart > MAX_CSV_LINE) throw tooLong('line', MAX_CSV_LINE);
  if (field !== '' || record.length > 0) {
    record.push(field);
    yield record;
  }
}

/** Every record of a CSV text (see csvRecords), at once: for small texts. */
export function parseCsv(text: string): string[][] {
  return [...csvRecords(text)];
}

/** Every record of a CSV text (see csvRecords), yielding to the event loop every 1,000 records: for uploaded files. */
export async function parseCsvAsync(text: string): Promise<string[][]> {
  const records: string[][] = [];
  for (const r of csvRecords(text)) {
    records.push(r);
    if (records.length % CSV_RECORDS_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return records;
}

/** 400 listing every problem, one per line: '第 3 行: unknown college "物理学院"'. */
export class ImportError extends BadRequestError {
  constructor(readonly problems: string[]) {
    super(`nothing was imported:\n${problems.join('\n')}`);
  }
  override name = 'ImportError';
}

/**
 * The header and the non-empty rows of a CSV import (header = line 1). Unknown, repeated or
 * missing columns, an empty file and too many rows throw ImportError naming the line.
 */
export function readCsvTable<C extends string>(
  records: string[][],
  headerNames: Record<string, C>,
  required: Array<[C, string]>,
  opts: { rowsName: string; maxRows: number },
): { columns: Map<C, number>; width: number; lines: Array<{ line: number; cells: string[] }> } {
  const problems: string[] = [];
  const [header, ...body] = records;
  if (!header || header.every((h) => h.trim() === '')) throw new ImportError(['the file is empty']);
  const columns = new Map<C, number>();
  header.forEach((h, i) => {
    const name = h.trim();
    if (name === '') return;
    const col = headerNames[name.toLowerCase()] ?? headerNames[name];
    if (!col) problems.push(`第 1 行: unknown column "${name}"`);
    else if (columns.has(col)) problems.push(`第 1 行: column "${name}" appears twice`);
    else columns.set(col, i);
  });
  for (const [col, label] of required) if (!columns.has(col)) problems.push(`第 1 行: missing column "${label}"`);
  if (problems.length > 0) throw new ImportError(problems);
  const lines = body
    .map((cells, i) => ({ line: i + 2, cells: cells.map((c) => c.trim()) }))
    .filter((l) => l.cells.some((c) => c !== ''));
  if (lines.length === 0) throw new ImportError([`the file has no ${opts.rowsName}`]);
  if (lines.length > opts.maxRows)
    throw new ImportError([`the file has ${lines.length} ${opts.rowsName}; at most ${opts.maxRows} per import`]);
  return { columns, width: header.length, lines };
}
