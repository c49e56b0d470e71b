/**
 * The columns of the school's roster (花名册) of classes and dormitories, with their Chinese headings:
 * one line per person in a unit. A line with 学号 and 姓名 is a student of the unit; a line with 用户名
 * and 职务 is a member: the unit's 心理委员 / 宿舍信息员 (a student reporter, who may also give their
 * 学号) or its 班主任 (a teacher the missed reports escalate to).
 */
import type { UnitKind } from '../../../domain/units';

export type RosterColumn = 'kind' | 'code' | 'name' | 'college' | 'studentNo' | 'studentName' | 'username' | 'duty';

export const ROSTER_HEADERS: Record<string, RosterColumn> = {
  类型: 'kind',
  kind: 'kind',
  编号: 'code',
  code: 'code',
  班级或宿舍编号: 'code',
  名称: 'name',
  name: 'name',
  学院: 'college',
  college: 'college',
  学号: 'studentNo',
  student_no: 'studentNo',
  姓名: 'studentName',
  student_name: 'studentName',
  用户名: 'username',
  username: 'username',
  职务: 'duty',
  duty: 'duty',
};

export const ROSTER_REQUIRED: Array<[RosterColumn, string]> = [
  ['kind', '类型'],
  ['code', '编号'],
  ['name', '名称'],
  ['college', '学院'],
];

export const KIND_NAMES: Record<string, UnitKind> = {
  班级: 'class',
  class: 'class',
  宿舍: 'dorm',
  寝室: 'dorm',
  dorm: 'dorm',
};

export type Duty = 'student' | 'reporter' | 'teacher';
export const DUTY_NAMES: Record<string, Duty> = {
  '': 'student',
  学生: 'student',
  student: 'student',
  心理委员: 'reporter',
  宿舍信息员: 'reporter',
  信息员: 'reporter',
  reporter: 'reporter',
  班主任: 'teacher',
  teacher: 'teacher',
};

/** The staff roles a unit's teacher may have (of the unit's college). */
export const TEACHER_ROLES = ['class_teacher', 'counsellor', 'psych_counsellor', 'college_leader'];

export const MAX_ROSTER_ROWS = 20_000;
