/** The rows of a users CSV import, every one validated before anything is written (ImportError lists all problems). */
import { existingUsernames } from '../../../db/repositories/user-admin';
import type { College, User } from '../../../db/store';
import { controlCharProblem } from '../../../domain/text';
import type { AppDeps } from '../../platform/deps';
import type { SessionUser } from '../../platform/auth/context';
import { ImportError, readCsvTable } from '../../platform/csv';
import {
  EMAIL,
  HEADER_NAMES,
  MAX_IMPORT_ROWS,
  MIN_PASSWORD_LENGTH,
  REQUIRED_COLUMNS,
  ROLE_NAMES,
  roleCollegeProblem,
  USERNAME,
  type Column,
  type ImportRow,
} from './rules';

export async function validateImport(deps: AppDeps, actor: SessionUser, records: string[][]): Promise<ImportRow[]> {
  const { store } = deps;
  const problems: string[] = [];
  const at = (line: number, msg: string) => problems.push(`第 ${line} 行: ${msg}`);

  const { columns, width, lines } = readCsvTable(records, HEADER_NAMES, REQUIRED_COLUMNS, {
    rowsName: 'user rows',
    maxRows: MAX_IMPORT_ROWS,
  });

  const colleges = await store.listColleges(actor.schoolId);
  const collegeByKey = new Map<string, College>();
  for (const c of colleges) for (const key of [c.id, c.name, c.nameEn]) collegeByKey.set(key, c);
  const existing = await usersByUsername(
    deps,
    actor.schoolId,
    lines.map((l) => l.cells[columns.get('username')!] ?? ''),
  );
  const firstLine = new Map<string, number>();

  const rows: ImportRow[] = [];
  for (const { line, cells } of lines) {
    const cell = (col: Column) => (columns.has(col) ? (cells[columns.get(col)!] ?? '') : '');
    if (cells.length > width && cells.slice(width).some((c) => c !== '')) at(line, 'more fields than the header has');
    const username = cell('username');
    const displayName = cell('displayName');
    const role = ROLE_NAMES[cell('role')];
    const collegeText = cell('college');
    const college = collegeText ? collegeByKey.get(collegeText) : undefined;
    const email = columns.has('email') ? cell('email') || null : undefined;
    const password = cell('password') || null;
    const found = existing.ours.get(username);

    if (!USERNAME.test(username)) at(line, username ? `invalid username "${username}"` : 'username is empty');
    else if (firstLine.has(username))
      at(line, `username "${username}" appears again (first on line ${firstLine.get(username)})`);
    else firstLine.set(username, line);
    if (existing.elsewhere.has(username)) at(line, `username "${username}" belongs to another school`);
    if (!displayName) at(line, 'displayName/姓名 is empty');
    else if (displayName.length > 100) at(line, 'displayName/姓名 is longer than 100 characters');
    else if (controlCharProblem(displayName)) at(line, `displayName/姓名 ${controlCharProblem(displayName)}`);
    if (!role) at(line, cell('role') ? `unknown role "${cell('role')}"` : 'role/角色 is empty');
    if (collegeText && !college) at(line, `unknown college "${collegeText}"`);
    else if (role) {
      const problem = roleCollegeProblem(role, college?.id ?? null, colleges);
      if (problem) at(line, problem);
    }
    if (role && role !== 'school_admin' && username === actor.username)
      at(line, 'you cannot take away your own administrator role');
    if (email && !EMAIL.test(email)) at(line, `invalid e-mail "${email}"`);
    if (password !== null && password.length < MIN_PASSWORD_LENGTH)
      at(line, `password shorter than ${MIN_PASSWORD_LENGTH} characters`);
    if (role)
      rows.push({
        line,
        username,
        displayName,
        role,
        collegeId: college?.id ?? null,
        email,
        password,
        existing: found,
      });
  }
  if (problems.length > 0) throw new ImportError(problems);
  return rows;
}

/** This school's users by username, and the usernames among `usernames` taken by other schools. */
async function usersByUsername(
  deps: AppDeps,
  schoolId: string,
  usernames: string[],
): Promise<{ ours: Map<string, User>; elsewhere: Set<string> }> {
  const ours = new Map((await deps.store.listUsers({ schoolId })).map((u) => [u.username, u]));
  const wanted = [...new Set(usernames.filter((u) => u !== '' && !ours.has(u)))];
  const elsewhere = await existingUsernames(deps.knex, wanted);
  return { ours, elsewhere };
}
