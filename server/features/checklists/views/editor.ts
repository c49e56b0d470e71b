/** The editor's page of a checklist: its months' key-care groups and its tasks, with the actions on each. */
import type { Request } from 'express';
import type { Semester } from '../../../../db/store';
import { dueRuleWords } from '../../../../domain/checklist-xlsx';
import type { Template } from '../../../../domain/schema';
import { html, type Raw } from '../../../platform/html';
import { t as texts } from '../../../platform/i18n';

export function editorBody(req: Request, t: Template, running: Semester[]): Raw {
  const csrf = req.csrfToken ?? '';
  const saved = typeof req.query.saved === 'string' ? req.query.saved : '';
  const action = (taskId: string, what: string, label: string) =>
    html`<form method="post" action="/admin/checklists/${t.id}/tasks/${taskId}/${what}" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="base" value="${t.version}"><button class="btn" data-action="${what}">${label}</button></form>`;
  return html`<h1>${t.title.zh}</h1>
<p>v${t.version} · ${t.tasks.length} 项任务${saved ? html` · <span class="notice" id="saved">已保存为 ${saved}</span>` : ''}</p>
${running.length ? html`<p>使用此清单的学期：${running.map((s) => html`${s.id}（v${s.templateVersion}）`)}；修改保存为新版本，已有学期继续使用原版本。</p>` : ''}
<p><a class="btn" href="/admin/checklists/${t.id}/tasks/new/edit">新增任务</a> <a href="/admin/checklists/${t.id}/v${t.version}.xlsx">下载 xlsx</a></p>
<details id="copy"><summary>另存为新清单（如由秋季清单制作春季清单）</summary><form class="card" method="post" action="/admin/checklists/${t.id}/copy"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="base" value="${t.version}">
<label for="newId">新清单标识</label><input name="newId" id="newId" required pattern="[a-z0-9][a-z0-9-]{1,62}" placeholder="runxin-spring">
<label for="newTitle">新清单名称</label><input name="titleZh" id="newTitle" required>
<p><button class="btn" id="copy-save">另存为新清单</button></p></form></details>
<h2>每月重点关爱人群</h2>
<table id="months"><thead><tr><th>月份</th><th>重点关爱人群</th><th></th></tr></thead><tbody>
${t.months.map((m) => html`<tr data-month="${m.month}"><td>${m.month}月</td><td><ul>${m.keyCareGroups.map((g) => html`<li>${g.zh}</li>`)}</ul></td><td><a href="/admin/checklists/${t.id}/months/${m.month}/edit">编辑</a></td></tr>`)}
</tbody></table>
<p><a href="/admin/checklists/${t.id}/months/new/edit">新增月份</a></p>
<h2>任务</h2>
<table id="tasks"><thead><tr><th>月份或周次</th><th>任务</th><th>负责角色</th><th>截止规则</th><th></th></tr></thead><tbody>
${t.tasks.map(
  (
    x,
    i,
  ) => html`<tr data-task="${x.id}"><td>${x.month !== undefined ? `${x.month}月` : x.week !== undefined ? `第${x.week}周` : ''}</td><td>${x.number ? `${x.number}. ` : ''}${x.title.zh}<br><small>${x.id}</small></td><td>${texts('zh-CN').codes.collegeRoles[x.ownerRole]}</td><td>${dueRuleWords(x.due)}</td>
<td><a href="/admin/checklists/${t.id}/tasks/${x.id}/edit">编辑</a> ${i > 0 ? action(x.id, 'up', '上移') : ''} ${i < t.tasks.length - 1 ? action(x.id, 'down', '下移') : ''} ${action(x.id, 'retire', '停用')}</td></tr>`,
)}
</tbody></table>`;
}
