/** The audit log of the archives (who saw or changed which archive, and when), for the counselling centre. */
import type { Knex } from 'knex';

/** The archive events of the audit log (subject 'archive'), newest first, filtered; 200 a page. */
export async function listArchiveAudit(
  db: Knex,
  f: { studentId?: string; actor?: string; action?: string; from?: number; to?: number; page?: number },
): Promise<Array<{ id: number; subjectId: string; action: string; actor: string; at: number }>> {
  const q = db('audit_events').where({ subject_type: 'archive' });
  if (f.studentId) q.where({ subject_id: f.studentId });
  if (f.actor) q.where({ actor: f.actor });
  if (f.action) q.where({ action: f.action });
  if (f.from !== undefined) q.where('at', '>=', f.from);
  if (f.to !== undefined) q.where('at', '<', f.to);
  const rows = (await q
    .orderBy([
      { column: 'at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(200)
    .offset(200 * (f.page ?? 0))
    .select('id', 'subject_id', 'action', 'actor', 'at')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: Number(r.id),
    subjectId: String(r.subject_id),
    action: String(r.action),
    actor: String(r.actor),
    at: Number(r.at),
  }));
}
