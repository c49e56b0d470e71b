/**
 * The hand-edited sections of the archive (personal data, family, relationships, life events, the
 * support given): every changed field is a new version (who, when, the value); an unchanged field
 * writes nothing. All problems of a submission are named at once and nothing is stored then. A
 * closed archive (the student left) is read-only. Audited with the keys of the changed fields only.
 */
import { archiveValue } from '../../../../domain/archive';
import { archiveEditRefusal, archiveReviewRefusal } from '../../../../domain/permissions';
import { insertFieldVersions, insertReview } from '../../../../db/repositories/archive';
import { BadRequestError, type SessionUser } from '../../../platform/auth/context';
import { ConflictError } from '../../../platform/errors';
import { auditArchive, writeArchive, type ArchiveDeps } from './common';
import { loadArchive } from './read';

export class ArchiveFieldsError extends BadRequestError {
  constructor(readonly problems: string[]) {
    super(`the archive was not changed: ${problems.join('; ')}`);
  }
}

/** Saves the submitted fields that changed; answers their keys (empty when nothing changed). */
export async function editArchive(
  deps: ArchiveDeps,
  user: SessionUser,
  studentId: string,
  submitted: Record<string, unknown>,
): Promise<{ changed: string[] }> {
  const view = await loadArchive(deps, user, studentId, archiveEditRefusal);
  if (view.state.status === 'closed') throw new ConflictError('this archive is closed: the student has left');
  const problems: string[] = [];
  const changes: Array<{ field: string; value: string | null }> = [];
  for (const [field, raw] of Object.entries(submitted)) {
    const r = archiveValue(field, raw);
    if ('problem' in r) problems.push(r.problem);
    else if (r.value !== view.fields[field]) changes.push({ field, value: r.value });
  }
  if (problems.length) throw new ArchiveFieldsError(problems);
  if (!changes.length) return { changed: [] };
  await writeArchive(deps, user.schoolId, view.student, (trx) =>
    insertFieldVersions(
      trx,
      changes.map((c) => ({
        student_id: view.student.id,
        field: c.field,
        value: c.value,
        changed_by: user.id,
        changed_at: deps.now,
      })),
    ),
  );
  const changed = changes.map((c) => c.field);
  await auditArchive(deps, user.id, view.student.id, 'changed', { fields: changed });
  return { changed };
}

/** The monthly review (seed 003 §8: 每月更新, 动态管理): who reviewed the archive and when. */
export async function reviewArchive(deps: ArchiveDeps, user: SessionUser, studentId: string): Promise<{ at: number }> {
  const view = await loadArchive(deps, user, studentId, archiveReviewRefusal);
  if (view.state.status === 'closed') throw new ConflictError('this archive is closed: the student has left');
  await writeArchive(deps, user.schoolId, view.student, (trx) =>
    insertReview(trx, {
      student_id: view.student.id,
      college_id: view.student.collegeId,
      reviewed_by: user.id,
      reviewed_at: deps.now,
    }),
  );
  await auditArchive(deps, user.id, view.student.id, 'reviewed');
  return { at: deps.now };
}
