/**
 * On the page of 开展新生心理委员培训 (issue 16 part 2): which classes' committee members were trained,
 * by whom and when; the task completes only when every class is (use-cases/training-duty.ts). The
 * training is recorded on the units feature's page the link opens.
 */
import type { Request } from 'express';
import type { Store, TaskInstanceRow } from '../../../../db/store';
import { formatLocal } from '../../../../domain/local-time';
import { isTrainingTask } from '../../../../domain/units';
import { html, type Raw } from '../../../platform/html';
import { text } from '../../../platform/i18n';

export async function classTrainingOfTask(
  req: Request,
  store: Store,
  row: TaskInstanceRow,
  v: { zone: string; users: Map<string, string> },
): Promise<Raw | ''> {
  if (!isTrainingTask(row.templateTaskId, row.titleZh)) return '';
  const m = text(req).units;
  const classes = await store.classTrainingOf(row.semesterId, row.collegeId);
  const href = `/units/training?semester=${encodeURIComponent(row.semesterId)}&college=${encodeURIComponent(row.collegeId)}`;
  return html`<section class="card" id="class-training"><h2>${m.trainingTitle}</h2>
<ul>${classes.map(
    (c) =>
      html`<li>${c.name}：${c.trained ? html`${m.trained}（${v.users.get(c.trainedBy ?? '') ?? c.trainedBy}，${formatLocal(c.trainedAt ?? 0, v.zone)}）` : m.notTrained}</li>`,
  )}</ul>
<p><a class="btn" href="${href}">${m.markTrained}</a></p></section>`;
}
