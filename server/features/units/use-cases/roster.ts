/**
 * Importing the school's roster of classes and dormitories (xlsx or CSV, Chinese headings:
 * ../roster-rules.ts). Every line is checked before anything is written, and every problem is named
 * by its line (ImportError: "第 3 行: unknown college …"); the write is one transaction, so a failed
 * import stores nothing. Students new to the school are registered under an opaque id.
 */
import { randomUUID } from 'node:crypto';
import { writeTransaction } from '../../../../db/knex';
import { registeredStudentsByNo, insertStudents, type RegisteredStudent } from '../../../../db/repositories/students';
import { reporterUnits, saveRoster, unitsByCode, type RosterUnit } from '../../../../db/repositories/units';
import type { College, User } from '../../../../db/store';
import { REPORTER_ROLE, type UnitKind } from '../../../../domain/units';
import { controlCharProblem } from '../../../../domain/text';
import { ImportError, readCsvTable } from '../../../platform/csv';
import type { AppDeps } from '../../../platform/deps';
import { ForbiddenError } from '../../../platform/errors';
import type { SessionUser } from '../../../platform/auth/context';
import { rosterRecords } from '../roster-file';
import {
  DUTY_NAMES,
  KIND_NAMES,
  MAX_ROSTER_ROWS,
  ROSTER_HEADERS,
  ROSTER_REQUIRED,
  TEACHER_ROLES,
  type RosterColumn,
} from '../roster-rules';

export interface RosterResult {
  units: number;
  students: number;
  newStudents: number;
  reporters: number;
  teachers: number;
}

interface Draft extends RosterUnit {
  firstLine: number;
  existing: boolean;
}

interface NewStudent {
  id: string;
  collegeId: string;
  studentNo: string;
  name: string;
  className: string | null;
}

type Deps = Pick<AppDeps, 'store' | 'knex' | 'now'>;

export async function importRoster(deps: Deps, actor: SessionUser, bytes: Buffer): Promise<RosterResult> {
  if (actor.role !== 'school_admin') throw new ForbiddenError('only the school administration imports the roster');
  const records = await rosterRecords(bytes);
  const { columns, width, lines } = readCsvTable(records, ROSTER_HEADERS, ROSTER_REQUIRED, {
    rowsName: 'roster lines',
    maxRows: MAX_ROSTER_ROWS,
  });
  const { store, knex } = deps;
  const schoolId = actor.schoolId;
  const colleges = await store.listColleges(schoolId);
  const collegeByKey = new Map<string, College>();
  for (const c of colleges) for (const key of [c.id, c.name, c.nameEn]) collegeByKey.set(key, c);
  const users = new Map((await store.listUsers({ schoolId })).map((u) => [u.username, u]));
  const cellOf = (cells: string[]) => (col: RosterColumn) => (columns.has(col) ? (cells[columns.get(col)!] ?? '') : '');
  const known = await registeredStudentsByNo(knex, schoolId, [
    ...new Set(lines.map((l) => cellOf(l.cells)('studentNo')).filter(Boolean)),
  ]);
  const existingUnits = await unitsByCode(knex, schoolId);
  const attached = await reporterUnits(
    knex,
    [...users.values()]
      .filter((u) => u.role === 'class_psych_member' || u.role === 'dorm_info_officer')
      .map((u) => u.id),
  );

  const problems: string[] = [];
  const at = (line: number, msg: string): void => void problems.push(`第 ${line} 行: ${msg}`);
  const units = new Map<string, Draft>();
  const newStudents = new Map<string, NewStudent>();
  /** first line of each student per kind, of each member per unit, of each reporter */
  const studentSeen = new Map<string, { line: number; unit: string }>();
  const memberSeen = new Map<string, number>();
  const reporterSeen = new Map<string, { line: number; unit: string }>();
  const elsewhere: Array<{ line: number; username: string; unitId: string }> = [];

  for (const { line, cells } of lines) {
    const cell = cellOf(cells);
    if (cells.length > width && cells.slice(width).some((c) => c !== '')) at(line, 'more fields than the header has');
    const kind = KIND_NAMES[cell('kind')];
    const code = cell('code');
    const name = cell('name');
    const college = collegeByKey.get(cell('college'));
    const duty = DUTY_NAMES[cell('duty')];
    let ok = true;
    const bad = (msg: string) => {
      at(line, msg);
      ok = false;
    };
    if (!kind) bad(cell('kind') ? `unknown kind "${cell('kind')}" (班级 or 宿舍)` : '类型 is empty');
    if (!code) bad('编号 is empty');
    else if (code.length > 64 || controlCharProblem(code)) bad(`invalid 编号 "${code.slice(0, 64)}"`);
    if (!name) bad('名称 is empty');
    else if (name.length > 100 || controlCharProblem(name)) bad('名称 is not one line of at most 100 characters');
    if (!college) bad(cell('college') ? `unknown college "${cell('college')}"` : '学院 is empty');
    if (!duty) bad(`unknown 职务 "${cell('duty')}" (心理委员, 宿舍信息员, 班主任 or empty for a student)`);
    if (!ok || !kind || !college || !duty) continue;

    const key = `${kind}:${code}`;
    let unit = units.get(key);
    if (!unit) {
      const existing = existingUnits.get(key);
      unit = {
        id: existing?.id ?? `unit-${randomUUID()}`,
        schoolId,
        collegeId: college.id,
        kind,
        code,
        name,
        studentIds: [],
        reporterUserIds: [],
        teacherUserIds: [],
        firstLine: line,
        existing: Boolean(existing),
      };
      units.set(key, unit);
    } else if (unit.collegeId !== college.id || unit.name !== name) {
      at(line, `${code} is given another college or name than on line ${unit.firstLine}`);
      continue;
    }

    const studentNo = cell('studentNo');
    const username = cell('username');
    if (duty === 'student' && !studentNo) at(line, 'a student line needs its 学号');
    if (duty !== 'student' && !username) at(line, `a ${cell('duty')} line needs the member's 用户名`);
    if (studentNo) addStudent(line, unit, studentNo, cell('studentName'));
    if (username && duty !== 'student') addMember(line, unit, username, duty);
    else if (username) at(line, "a 用户名 without a 职务: give the member's 职务");
  }
  // a reporter attached to a unit this roster does not name would have two units
  const named = new Set([...units.values()].map((u) => u.id));
  for (const e of elsewhere)
    if (!named.has(e.unitId))
      at(e.line, `${e.username} reports for another unit already: import that unit without them too`);
  if (problems.length > 0) throw new ImportError(problems);

  const drafts = [...units.values()];
  await writeTransaction(knex, async (trx) => {
    const at = deps.now?.() ?? Date.now();
    await insertStudents(
      trx,
      [...newStudents.values()].map((s) => ({
        id: s.id,
        school_id: schoolId,
        college_id: s.collegeId,
        student_no: s.studentNo,
        name: s.name,
        class_name: s.className,
        created_at: at,
      })),
    );
    await saveRoster(trx, drafts, at);
  });
  const result: RosterResult = {
    units: drafts.length,
    students: drafts.reduce((n, u) => n + u.studentIds.length, 0),
    newStudents: newStudents.size,
    reporters: drafts.reduce((n, u) => n + u.reporterUserIds.length, 0),
    teachers: drafts.reduce((n, u) => n + u.teacherUserIds.length, 0),
  };
  await store.appendAudit({
    eventKey: `roster.imported:${randomUUID()}`,
    subjectType: 'school',
    subjectId: schoolId,
    action: 'roster.imported',
    actor: actor.id,
    at: deps.now?.() ?? Date.now(),
    details: { ...result },
  });
  return result;

  function addStudent(line: number, unit: Draft, studentNo: string, studentName: string): void {
    if (studentNo.length > 32 || controlCharProblem(studentNo))
      return at(line, `invalid 学号 "${studentNo.slice(0, 32)}"`);
    const seen = studentSeen.get(`${unit.kind}:${studentNo}`);
    if (seen) {
      const where = seen.unit === unit.code ? 'again' : `in ${seen.unit} too`;
      return at(
        line,
        `student ${studentNo} appears ${where} (first on line ${seen.line}): a student is in one ${unit.kind === 'class' ? 'class' : 'dormitory'}`,
      );
    }
    studentSeen.set(`${unit.kind}:${studentNo}`, { line, unit: unit.code });
    const registered: RegisteredStudent | undefined = known.get(studentNo);
    if (registered) {
      if (registered.college_id !== unit.collegeId)
        return at(line, `student ${studentNo} is registered with another college (${registered.college_id})`);
      unit.studentIds.push(registered.id);
      return;
    }
    const pending = newStudents.get(studentNo);
    if (pending) {
      if (pending.collegeId !== unit.collegeId)
        return at(line, `student ${studentNo} is given two colleges in this roster`);
      unit.studentIds.push(pending.id);
      return;
    }
    if (!studentName) return at(line, `student ${studentNo} is new to the school: give the 姓名`);
    if (studentName.length > 100 || controlCharProblem(studentName))
      return at(line, '姓名 is not one line of at most 100 characters');
    const s: NewStudent = {
      id: randomUUID(),
      collegeId: unit.collegeId,
      studentNo,
      name: studentName,
      className: unit.kind === 'class' ? unit.name : null,
    };
    newStudents.set(studentNo, s);
    unit.studentIds.push(s.id);
  }

  function addMember(line: number, unit: Draft, username: string, duty: 'reporter' | 'teacher'): void {
    const user: User | undefined = users.get(username);
    if (!user || !user.active) return at(line, `unknown user "${username}"`);
    const first = memberSeen.get(`${unit.id}:${user.id}`);
    if (first) return at(line, `${username} appears again in ${unit.code} (first on line ${first})`);
    memberSeen.set(`${unit.id}:${user.id}`, line);
    if (user.collegeId !== unit.collegeId) return at(line, `${username} belongs to another college`);
    if (duty === 'teacher') {
      if (!TEACHER_ROLES.includes(user.role))
        return at(line, `${username} is not staff of the college (role ${user.role})`);
      unit.teacherUserIds.push(user.id);
      return;
    }
    const want = REPORTER_ROLE[unit.kind as UnitKind];
    if (user.role !== want)
      return at(line, `${username} has the role ${user.role}; a ${unit.kind} reporter needs the role ${want}`);
    const seen = reporterSeen.get(user.id);
    if (seen)
      return at(line, `${username} reports for ${seen.unit} already (line ${seen.line}): a reporter has one unit`);
    reporterSeen.set(user.id, { line, unit: unit.code });
    const current = attached.get(user.id);
    if (current && current !== unit.id) elsewhere.push({ line, username, unitId: current });
    unit.reporterUserIds.push(user.id);
  }
}
