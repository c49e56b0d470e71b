/**
 * Checklists in the store as xlsx (domain/checklist-xlsx.ts does the workbook): export a stored
 * version, import a workbook as a NEW version (the next free one: a stored version is never
 * overwritten, and a running semester keeps the version it started with), and save an edited
 * template (the web editor) the same way.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../../../../db/store';
import { checklistFromXlsx, checklistToXlsx } from '../../../../domain/checklist-xlsx';
import { parseTemplate } from '../../../../domain/load';
import { templateSchema, type Template } from '../../../../domain/schema';
import { NotFoundError } from '../../semesters/use-cases';

/** A stored template version, parsed (either form; the year-bound one upgraded). */
export async function storedTemplate(store: Store, id: string, version?: number): Promise<Template> {
  const row = await store.getTemplate(id, version);
  if (!row) throw new NotFoundError(`unknown template ${id}${version !== undefined ? ` v${version}` : ''}`);
  return parseTemplate(`template ${row.id} v${row.version}`, row.body);
}

export async function exportChecklist(
  store: Store,
  id: string,
  version?: number,
): Promise<{ template: Template; xlsx: Buffer }> {
  const template = await storedTemplate(store, id, version);
  return { template, xlsx: await checklistToXlsx(template) };
}

/**
 * Stores `template` as the next version of its id (the latest stored + 1, or 1): its own `version`
 * is only what it was edited from. Validated again before anything is written.
 */
export async function saveNewVersion(store: Store, template: Template): Promise<Template> {
  const latest = await store.getTemplate(template.id);
  const next = templateSchema.parse({ ...template, version: (latest?.version ?? 0) + 1 });
  const body = `${JSON.stringify(next, null, 2)}\n`;
  await store.saveTemplate({
    id: next.id,
    version: next.version,
    kind: next.kind,
    titleZh: next.title.zh,
    titleEn: next.title.en,
    body,
    sha256: createHash('sha256').update(body).digest('hex'),
  });
  return next;
}

/**
 * Reads a workbook and stores it as a new version. Every problem of the file is thrown at once
 * (ChecklistXlsxError) before anything is stored. `id`, when given, is the template id to store under
 * (else the workbook's 清单标识).
 */
export async function importChecklist(store: Store, xlsx: Buffer, opts: { id?: string } = {}): Promise<Template> {
  const template = await checklistFromXlsx(xlsx);
  return saveNewVersion(store, opts.id ? { ...template, id: opts.id } : template);
}
