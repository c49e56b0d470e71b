/**
 * The checklist editor's and the semester administration's rules that moved from the routes into
 * the use cases (issue 13 part 3), called directly: no HTTP, a store that keeps templates in memory.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Store, TemplateRecord } from '../db/store';
import { parseTemplate } from '../domain/load';
import {
  ConflictError,
  copyChecklist,
  latestEditable,
  moveTask,
  saveMonthForm,
} from '../server/features/checklists/use-cases';
import { createSemesterFromForm } from '../server/features/semesters/use-cases';

const text = fs.readFileSync('checklists/runxin-2024-autumn.json', 'utf8');
const template = parseTemplate('runxin', text);

/** templates by id, every version kept; nothing else */
function memoryStore() {
  const rows: TemplateRecord[] = [
    {
      id: template.id,
      version: template.version,
      kind: template.kind,
      titleZh: template.title.zh,
      titleEn: template.title.en,
      body: text,
      sha256: 'x',
    } as TemplateRecord,
  ];
  const store = {
    getTemplate: async (id: string, version?: number) =>
      rows.filter((r) => r.id === id && (version === undefined || r.version === version)).at(-1),
    saveTemplate: async (r: TemplateRecord) => void rows.push(r),
    getSemester: async () => undefined,
  } as unknown as Store;
  return { store, rows };
}

describe('the checklist editor', () => {
  it('When a save comes from an older version, then it is refused with 409 and nothing is stored', async () => {
    const { store, rows } = memoryStore();
    await expect(latestEditable(store, template.id, template.version - 1)).rejects.toBeInstanceOf(ConflictError);
    expect(rows).toHaveLength(1);
  });

  it('When a task is moved, retired or a month edited, then each is a new version; the last task is never retired', async () => {
    const { store, rows } = memoryStore();
    const t = await latestEditable(store, template.id, template.version);
    const [first, second] = t.tasks;
    const moved = await moveTask(store, t, second!.id, 'up');
    expect(moved.version).toBe(t.version + 1);
    expect(moved.tasks.slice(0, 2).map((x) => x.id)).toEqual([second!.id, first!.id]);
    await expect(moveTask(store, t, first!.id, 'up')).rejects.toThrow(`task ${first!.id} cannot move up`);
    await expect(moveTask(store, { ...t, tasks: [first!] }, first!.id, 'retire')).rejects.toThrow(
      'a checklist keeps at least one task',
    );
    const month = t.months[0]!;
    const clash = t.months[1]!;
    const refused = await saveMonthForm(store, t, String(month.month), { month: String(clash.month), groups: 'x' });
    expect(refused).toEqual({ problems: [`${clash.month}月已有重点关爱人群，请直接编辑那个月`] });
    expect(rows).toHaveLength(2);
  });

  it('When a checklist is copied under an id in use or without a title, then every problem is named', async () => {
    const { store } = memoryStore();
    const t = await latestEditable(store, template.id);
    await expect(copyChecklist(store, t, { newId: template.id, titleZh: '', titleEn: '' })).rejects.toThrow(
      `清单 ${template.id} 已存在；新清单名称不能为空`,
    );
  });
});

describe('createSemesterFromForm', () => {
  it('When the semester id is not lower-case letters, digits and dashes, then it is refused before anything is read', async () => {
    const { store } = memoryStore();
    const ask = {
      templateId: template.id,
      templateVersion: undefined,
      calendarId: 'x',
      taskModel: undefined,
      files: {},
    };
    await expect(createSemesterFromForm(store, 's', { ...ask, id: 'Spring 2025' })).rejects.toThrow(
      'semester id must be 2–63 lower-case letters, digits and dashes',
    );
  });
});
