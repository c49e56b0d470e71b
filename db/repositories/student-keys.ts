/**
 * The per-student payload keys' rows (migrations/20261204000100_student_payload_keys.ts) and the
 * student a care workflow belongs to, from its id (the ids' conventions: server/features/*\/ids,
 * contracts/archive.ts, contracts/units.ts). Used by codec/student-keys.ts.
 */
import type { Knex } from 'knex';
import type { StudentPayloadKeyRow } from '../tables';

export interface StudentKeyRow {
  studentId: string;
  masterKeyId: string;
  salt: Buffer;
}

/** Workflow id prefix → the table whose row (by the rest of the id) names the student. */
const CARE_WORKFLOWS: ReadonlyArray<readonly [prefix: string, table: string]> = [
  ['screening.', 'screening_warnings'],
  ['crisis.', 'crisis_cases'],
  ['supervision.', 'crisis_cases'],
  ['pairing.', 'pairings'],
  ['data-request.', 'data_requests'],
  ['unit-concern.', 'unit_reports'],
];

/** Whether a workflow id is one of a student's care workflows by its form (no database read). */
export function isCareWorkflowId(workflowId: string): boolean {
  return CARE_WORKFLOWS.some(([prefix]) => workflowId.startsWith(prefix));
}

/** The student whose care workflow this is, or null (not a care workflow, or its record is gone). */
export async function studentOfWorkflow(db: Knex, workflowId: string): Promise<string | null> {
  const hit = CARE_WORKFLOWS.find(([prefix]) => workflowId.startsWith(prefix));
  if (!hit) return null;
  const [prefix, table] = hit;
  const row = (await db(table)
    .where({ id: workflowId.slice(prefix.length) })
    .first('student_id')) as { student_id: string | null } | undefined;
  return row?.student_id ?? null;
}

const fromRow = (r: StudentPayloadKeyRow): StudentKeyRow => ({
  studentId: r.student_id,
  masterKeyId: r.master_key_id,
  salt: Buffer.from(r.salt, 'base64'),
});

export async function getStudentKey(db: Knex, studentId: string): Promise<StudentKeyRow | null> {
  const r = (await db('student_payload_keys').where({ student_id: studentId }).first()) as
    StudentPayloadKeyRow | undefined;
  return r ? fromRow(r) : null;
}

/** The student's key row, made now if there is none (a concurrent maker's row wins). */
export async function ensureStudentKey(
  db: Knex,
  studentId: string,
  fresh: { masterKeyId: string; salt: Buffer; at: number },
): Promise<StudentKeyRow> {
  await db('student_payload_keys')
    .insert({
      student_id: studentId,
      master_key_id: fresh.masterKeyId,
      salt: fresh.salt.toString('base64'),
      created_at: fresh.at,
    })
    .onConflict('student_id')
    .ignore();
  const row = await getStudentKey(db, studentId);
  if (!row) throw new Error(`the payload key of student ${studentId} could not be stored`);
  return row;
}

/** Destroys the student's payload key (the purge); how many rows went. */
export async function destroyStudentKey(db: Knex, studentId: string): Promise<number> {
  return Number(await db('student_payload_keys').where({ student_id: studentId }).delete());
}
