/** The hand-over of a departing staff member (server/hand-over.ts): the form, and the result page. */
import type { Request } from 'express';
import type { User } from '../../../../db/store';
import type { handOverUser } from '../use-cases';
import { html, type Raw } from '../../../platform/html';

export function handOverForm(req: Request, who: User, candidates: User[], pairings: number): Raw {
  const error = typeof req.query.error === 'string' ? req.query.error : '';
  return html`<h1>离岗交接：${who.displayName}</h1>
${error ? html`<div class="error" role="alert" id="error"><p>${error}</p></div>` : ''}
<div class="card"><p>交接后，${who.displayName} 的结对帮扶（${pairings} 名学生）和 24 小时监护的值班监护人职责转给接替人，然后停用该账号。任务按岗位（角色）分配，不随个人移交。</p>
${
  who.collegeId
    ? html`<form method="post" action="/admin/users/${encodeURIComponent(who.id)}/hand-over" id="hand-over-form"><input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}">
<label for="successor">接替人（同一学院的在岗人员）</label><select id="successor" name="successorUserId" required><option value=""></option>${candidates.map((u) => html`<option value="${u.id}">${u.displayName}（${u.username}）</option>`)}</select>
<p class="actions"><button class="btn danger" type="submit">交接并停用账号</button> <a class="btn secondary" href="/admin/users">取消</a></p></form>`
    : html`<p>该账号不属于学院，没有学院职责可交接；请在用户列表中直接停用。</p>`
}</div>`;
}

export function handOverResult(result: Awaited<ReturnType<typeof handOverUser>>): Raw {
  return html`<h1>交接完成</h1><div class="card" id="hand-over-result"><p>结对帮扶移交 ${result.pairings.length} 名学生；值班监护人移交 ${result.guardianDuties.length} 个个案；账号已停用。</p>
<p>任务按岗位分配，不随个人移交${result.tasks.activeHoldersLeft ? '' : html`；<strong>注意：该学院已无在岗的同岗位人员，请尽快补充</strong>`}。筛查跟进由学院各岗位负责，不随个人移交。</p>
<p><a class="btn" href="/admin/users">返回用户列表</a></p></div>`;
}
