/** The ledger's .xlsx/.csv export in appendix 4's column order (audited as an export). */
import { LEDGER_CATEGORIES } from '../../../../domain/care';
import { formatLocal } from '../../../../domain/local-time';
import { BadRequestError, type SessionUser } from '../../../platform/auth/context';
import { NotFoundError } from '../../../platform/errors';
import { audit, type CareDeps } from './common';
import { listLedger } from './ledger';

/** The ledger as rows in appendix 4's column order, for the .xlsx/.csv export (audited as an export). */
export async function ledgerExportRows(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  zone: string,
): Promise<Array<Array<string | number | null>>> {
  const views = await listLedger(deps, user, collegeId, 'ledger-export');
  await audit(deps, user, 'ledger-export', collegeId, 'exported', { entries: views.length });
  const when = (ms: number | null) => (ms == null ? '' : formatLocal(ms, zone));
  const categoryZh = new Map<string, string>(LEDGER_CATEGORIES.map((c) => [c.id, c.zh]));
  return views.map((v) => [
    v.seq,
    v.student.name,
    v.gender,
    v.majorClass || v.student.className || '',
    v.contact,
    when(v.interviewAt),
    v.categories.map((c) => categoryZh.get(c) ?? c).join('、'),
    v.lifeSafety ? '是' : '否',
    v.description,
    v.liaisonName ?? '',
    v.plan,
    v.followUps
      .map((f) => `${when(f.at)} ${f.text}${f.counselling ? '（心理咨询）' : ''}${f.hospital ? '（就医）' : ''}`)
      .join('\n'),
  ]);
}

/**
 * The export of the college asked for (else the user's own college; a user of no college names
 * one): a college of another school is unknown. Returns the file's title and its rows.
 */
export async function ledgerExport(
  deps: CareDeps,
  user: SessionUser,
  requestedCollegeId: string | undefined,
  zone: string,
): Promise<{ collegeId: string; title: string; rows: Array<Array<string | number | null>> }> {
  const collegeId = requestedCollegeId || user.collegeId;
  if (!collegeId) throw new BadRequestError('name the college: ?college=<id>');
  const college = await deps.store.getCollege(collegeId);
  if (!college || college.schoolId !== user.schoolId) throw new NotFoundError(`unknown college ${collegeId}`);
  const rows = await ledgerExportRows(deps, user, collegeId, zone);
  return { collegeId, title: `${college.name}重点、高危学生心理干预台账`, rows };
}
