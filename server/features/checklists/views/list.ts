/** The list of stored checklist versions, each downloadable as xlsx, and the xlsx import form with its problems. */
import type { Request } from 'express';
import type { TemplateListRow } from '../../../../db/repositories/checklists';
import { html } from '../../../platform/html';
import { page } from '../../../platform/layout';

const w = (req: Request, zh: string, english: string) => (req.lang === 'en' ? english : zh);

export function checklistListPage(req: Request, rows: TemplateListRow[], problems: string[]): string {
  const done = typeof req.query.done === 'string' ? req.query.done : '';
  const body = html`<h1>${w(req, '工作清单', 'Checklists')}</h1>
<p>${w(req, '每次导入都保存为新版本；正在进行的学期继续使用它开始时的版本。', 'Every import is stored as a new version; a running semester keeps the version it started with.')}</p>
${done ? html`<p class="notice" id="done">${w(req, '已保存', 'Stored')}: ${done}</p>` : ''}
<table id="checklists"><thead><tr><th>${w(req, '清单', 'Checklist')}</th><th>${w(req, '版本', 'Version')}</th><th></th></tr></thead><tbody>
${rows.map(
  (t) =>
    html`<tr><td>${t.title_zh}<br><small>${t.id}</small></td><td>v${t.version}</td><td>${t.kind === 'semester-checklist' ? html`<a href="/admin/checklists/${t.id}/v${t.version}.xlsx">${w(req, '下载 xlsx', 'Download xlsx')}</a> · <a href="/admin/checklists/${t.id}/edit">${w(req, '编辑', 'Edit')}</a>` : ''}</td></tr>`,
)}
</tbody></table>
<form class="card" id="import" method="post" enctype="multipart/form-data" action="/admin/checklists/import?_csrf=${req.csrfToken ?? ''}">
<h2>${w(req, '导入 xlsx', 'Import xlsx')}</h2>
${problems.length ? html`<div class="error" id="problems"><p>${w(req, '文件有问题，未保存：', 'The file was refused, nothing stored:')}</p><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
<label>${w(req, 'xlsx 文件（按下载的格式填写）', 'xlsx file (in the downloaded form)')}</label><input type="file" name="file" required accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">
<p><button class="btn">${w(req, '导入为新版本', 'Import as a new version')}</button></p></form>`;
  return page(req, { title: w(req, '工作清单', 'Checklists'), body });
}
