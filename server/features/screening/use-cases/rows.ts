/**
 * The rows of a screening file (CSV, Chinese or English headers; Jiangsu's and seed 003's level
 * words): every row is validated first, and any problem → ImportError listing each by line (the
 * header is line 1).
 */
import type { College, Store } from '../../../../db/store';
import { controlCharProblem } from '../../../../domain/text';
import type { WarningLevel } from '../../../../contracts';
import type { SessionUser } from '../../../platform/auth/context';
import { ImportError, readCsvTable } from '../../../platform/csv';

/** A screening import is one school's or one college's warned students, not the whole roll. */
export const MAX_SCREENING_ROWS = 20_000;
const STUDENT_NO = /^[A-Za-z0-9_-]{1,32}$/;

type Column = 'studentNo' | 'name' | 'college' | 'className' | 'level';
const HEADER_NAMES: Record<string, Column> = {
  学号: 'studentNo',
  studentno: 'studentNo',
  student_no: 'studentNo',
  姓名: 'name',
  name: 'name',
  学院: 'college',
  college: 'college',
  班级: 'className',
  class: 'className',
  预警等级: 'level',
  level: 'level',
};
const REQUIRED_COLUMNS: Array<[Column, string]> = [
  ['studentNo', '学号/studentNo'],
  ['name', '姓名/name'],
  ['college', '学院/college'],
  ['level', '预警等级/level'],
];
/** Jiangsu wording (红色/橙色) and seed 003's (一级/二级预警). */
const LEVEL_NAMES: Record<string, WarningLevel> = {
  red: 'red',
  红: 'red',
  红色: 'red',
  红色预警: 'red',
  一级: 'red',
  一级预警: 'red',
  'level-1': 'red',
  orange: 'orange',
  橙: 'orange',
  橙色: 'orange',
  橙色预警: 'orange',
  二级: 'orange',
  二级预警: 'orange',
  'level-2': 'orange',
};

export interface WarningRow {
  line: number;
  studentNo: string;
  name: string;
  collegeId: string;
  className: string | null;
  level: WarningLevel;
}

/** The rows of a screening file, or ImportError listing every problem by line. */
export async function validateRows(store: Store, user: SessionUser, records: string[][]): Promise<WarningRow[]> {
  const problems: string[] = [];
  const at = (line: number, msg: string) => problems.push(`第 ${line} 行: ${msg}`);

  const { columns, width, lines } = readCsvTable(records, HEADER_NAMES, REQUIRED_COLUMNS, {
    rowsName: 'warning rows',
    maxRows: MAX_SCREENING_ROWS,
  });

  const collegeByKey = new Map<string, College>();
  for (const c of await store.listColleges(user.schoolId))
    for (const key of [c.id, c.name, c.nameEn]) collegeByKey.set(key, c);
  const firstLine = new Map<string, number>();
  const rows: WarningRow[] = [];
  for (const { line, cells } of lines) {
    const cell = (col: Column) => (columns.has(col) ? (cells[columns.get(col)!] ?? '') : '');
    const before = problems.length;
    if (cells.length > width && cells.slice(width).some((c) => c !== '')) at(line, 'more fields than the header has');
    const studentNo = cell('studentNo');
    if (!studentNo) at(line, '学号/studentNo is empty');
    else if (!STUDENT_NO.test(studentNo))
      at(line, `invalid student number "${studentNo}" (1–32 letters, digits, _ or -)`);
    else if (firstLine.has(studentNo))
      at(line, `student number "${studentNo}" appears again (first on line ${firstLine.get(studentNo)})`);
    else firstLine.set(studentNo, line);
    const name = cell('name');
    if (!name) at(line, '姓名/name is empty');
    else if (name.length > 100) at(line, '姓名/name is longer than 100 characters');
    else if (controlCharProblem(name)) at(line, `姓名/name ${controlCharProblem(name)}`);
    const collegeText = cell('college');
    const college = collegeByKey.get(collegeText);
    if (!collegeText) at(line, '学院/college is empty');
    else if (!college) at(line, `unknown college "${collegeText}"`);
    else if (user.role !== 'school_admin' && college.id !== user.collegeId)
      at(line, `college "${collegeText}" is not yours: you may import warnings of your own college only`);
    const levelText = cell('level');
    const level = LEVEL_NAMES[levelText.toLowerCase()] ?? LEVEL_NAMES[levelText];
    if (!levelText) at(line, '预警等级/level is empty');
    else if (!level)
      at(line, `unknown warning level "${levelText}" (红色/橙色, red/orange, 一级/二级, level-1/level-2)`);
    const className = cell('className');
    if (className.length > 100) at(line, '班级/class is longer than 100 characters');
    else if (controlCharProblem(className)) at(line, `班级/class ${controlCharProblem(className)}`);
    if (problems.length === before)
      rows.push({ line, studentNo, name, collegeId: college!.id, className: className || null, level: level! });
  }
  if (problems.length > 0) throw new ImportError(problems);
  return rows;
}

/**
 * A row naming a student number registered with another college than the row's: refused (never
 * moved), and the message does not say which college holds the number.
 */
export const notThisCollege = (r: WarningRow) =>
  `第 ${r.line} 行: student number "${r.studentNo}" cannot be imported by this college`;
