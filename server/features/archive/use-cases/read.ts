/**
 * One student's archive as appendix 3 lays it out: personal data, family, relationships, life
 * events (the hand-edited fields, current value = latest version, with every version), the
 * assessments over time and the timeline of every process (read from the processes' own records),
 * the support given, the monthly reviews and the archive's state. Every read is audited.
 */
import { archiveOpenedAt, assessmentsOf, buildTimeline, type TimelineEntry } from '../../../../domain/archive-timeline';
import { ARCHIVE_FIELD_KEYS } from '../../../../domain/archive';
import { archiveViewRefusal } from '../../../../domain/permissions';
import {
  getArchiveState,
  listFieldVersions,
  listReviews,
  readProcessRecords,
} from '../../../../db/repositories/archive';
import type { SessionUser } from '../../../platform/auth/context';
import { NotFoundError } from '../../../platform/errors';
import { auditArchive, studentOfArchive, type ArchiveDeps } from './common';

export interface FieldVersion {
  field: string;
  value: string | null;
  changedBy: string;
  changedAt: number;
}

export interface ArchiveView {
  student: { id: string; studentNo: string; name: string; className: string | null; collegeId: string };
  collegeName: string;
  openedAt: number;
  state: { status: 'open' | 'closed'; leftAt: number | null; leftReason: string | null; purgeDueAt: number | null };
  /** the current value of every hand-edited field (null: never filled in) */
  fields: Record<string, string | null>;
  /** every version, oldest first */
  versions: FieldVersion[];
  assessments: ReturnType<typeof assessmentsOf>;
  timeline: TimelineEntry[];
  reviews: Array<{ by: string; at: number }>;
}

/**
 * The archive without the audit (the export and the view audit their own action). 404 when the
 * student has entered no care process: there is no archive to show.
 */
export async function loadArchive(
  deps: ArchiveDeps,
  user: SessionUser,
  studentId: string,
  rule = archiveViewRefusal,
): Promise<ArchiveView> {
  const s = await studentOfArchive(deps, user, studentId, rule);
  const records = await readProcessRecords(deps.knex, s.id, s.college_id);
  const timeline = buildTimeline(records);
  const openedAt = archiveOpenedAt(timeline);
  if (openedAt === null) throw new NotFoundError(`student ${studentId} has no archive: no care process yet`);
  const state = await getArchiveState(deps.knex, s.id);
  const versions = (await listFieldVersions(deps.knex, s.id)).map((v) => ({
    field: v.field,
    value: v.value,
    changedBy: v.changed_by,
    changedAt: Number(v.changed_at),
  }));
  const fields: Record<string, string | null> = Object.fromEntries(ARCHIVE_FIELD_KEYS.map((k) => [k, null]));
  for (const v of versions) fields[v.field] = v.value; // oldest first: the latest wins
  const college = await deps.store.getCollege(s.college_id);
  return {
    student: { id: s.id, studentNo: s.student_no, name: s.name, className: s.class_name, collegeId: s.college_id },
    collegeName: college?.name ?? s.college_id,
    openedAt,
    state: {
      status: state?.status ?? 'open',
      leftAt: state?.left_at == null ? null : Number(state.left_at),
      leftReason: state?.left_reason ?? null,
      purgeDueAt: state?.purge_due_at == null ? null : Number(state.purge_due_at),
    },
    fields,
    versions,
    assessments: assessmentsOf(records),
    timeline,
    reviews: (await listReviews(deps.knex, s.id)).map((r) => ({ by: r.reviewed_by, at: Number(r.reviewed_at) })),
  };
}

/** The archive page's and the API's read: audited as "viewed" on the archive (who, when). */
export async function readArchive(deps: ArchiveDeps, user: SessionUser, studentId: string): Promise<ArchiveView> {
  const view = await loadArchive(deps, user, studentId);
  await auditArchive(deps, user.id, view.student.id, 'viewed');
  return view;
}
