/**
 * The web editor's rules: edits apply to the latest version only (a save from an older one is
 * refused: someone saved in between), and every save stores a new version, so a running semester
 * keeps the version it started with.
 */
import type { Knex } from 'knex';
import { templateTaskIdsEverUsed } from '../../../../db/repositories/checklists';
import type { Store } from '../../../../db/store';
import type { Template, TemplateTask } from '../../../../domain/schema';
import { BadRequestError } from '../../../platform/auth/context';
import { NotFoundError } from '../../semesters/use-cases';
import { taskFromForm } from './task-form';
import { saveNewVersion, storedTemplate } from './xlsx';
import { ConflictError as AppConflictError } from '../../../platform/errors';

/** A save from a version that is no longer the latest (answered 409). */
export class ConflictError extends AppConflictError {
  override name = 'ConflictError';
}

/** the latest version; a save from an older one is refused (someone saved in between) */
export async function latestEditable(store: Store, id: string, base?: unknown): Promise<Template> {
  const t = await storedTemplate(store, id);
  if (t.kind !== 'semester-checklist') throw new BadRequestError(`${id} is a campaign; edit it as JSON`);
  if (base !== undefined && Number(base) !== t.version)
    throw new ConflictError(`清单 ${id} 已有更新的版本 v${t.version}（你编辑的是 v${String(base)}），请刷新后再改`);
  return t;
}

/** The task a form edits (undefined for 'new'); unknown ids are refused. */
export function taskToEdit(t: Template, taskId: string): { index: number; task: TemplateTask | undefined } {
  const index = taskId === 'new' ? -1 : t.tasks.findIndex((y) => y.id === taskId);
  if (taskId !== 'new' && index < 0) throw new NotFoundError(`checklist ${t.id} v${t.version} has no task ${taskId}`);
  return { index, task: index >= 0 ? t.tasks[index] : undefined };
}

/** A task form saved as a new version; its problems (nothing saved) when the form or the checklist is invalid. */
export async function saveTaskForm(
  knex: Knex,
  store: Store,
  t: Template,
  taskId: string,
  body: Record<string, unknown>,
): Promise<{ stored: Template } | { problems: string[]; base: TemplateTask | undefined }> {
  const { index, task: base } = taskToEdit(t, taskId);
  let id = taskId;
  if (taskId === 'new') {
    // a new id, never used by any version of this checklist
    const used = await templateTaskIdsEverUsed(knex, t.id);
    const when = String(body.when ?? '') || 't';
    for (let n = t.tasks.length + 1; ; n += 1) if (!used.has((id = `${when}-${n}`))) break;
  }
  const { task, problems } = taskFromForm(body, base, id);
  if (!task) return { problems, base };
  const tasks = index >= 0 ? t.tasks.map((y, i) => (i === index ? task : y)) : [...t.tasks, task];
  try {
    return { stored: await saveNewVersion(store, { ...t, tasks }) };
  } catch (e) {
    if (!(e instanceof Error && e.name === 'ZodError')) throw e;
    return { problems: [e.message], base };
  }
}

/** The month's key-care groups asked for ('new' or a month of the checklist). */
export function monthToEdit(t: Template, month: string) {
  const cur = t.months.find((m) => String(m.month) === month);
  if (month !== 'new' && !cur)
    throw new NotFoundError(`checklist ${t.id} v${t.version} has no key-care groups for month ${month}`);
  return cur;
}

/**
 * The key-care groups of a month (one a line) saved as a new version: another month moves them, no
 * line removes the month; an unchanged line keeps its English name.
 */
export async function saveMonthForm(
  store: Store,
  t: Template,
  month: string,
  body: Record<string, unknown>,
): Promise<{ stored: Template } | { problems: string[] }> {
  const cur = monthToEdit(t, month);
  const to = Number(body.month);
  const lines = String(body.groups ?? '')
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter(Boolean);
  const problems = [
    ...(Number.isInteger(to) && to >= 1 && to <= 12 ? [] : ['请选择月份']),
    ...(to !== cur?.month && t.months.some((m) => m.month === to) ? [`${to}月已有重点关爱人群，请直接编辑那个月`] : []),
    ...(!cur && !lines.length ? ['请至少写一类重点关爱人群'] : []),
  ];
  if (problems.length) return { problems };
  const groups = lines.map((zh) => cur?.keyCareGroups.find((g) => g.zh === zh) ?? { zh, en: zh });
  const others = t.months.filter((m) => m !== cur);
  const months = lines.length
    ? cur
      ? t.months.map((m) => (m === cur ? { month: to, keyCareGroups: groups } : m))
      : [...others, { month: to, keyCareGroups: groups }]
    : others;
  return { stored: await saveNewVersion(store, { ...t, months }) };
}

/** a copy under a new id and title, as its version 1 (e.g. a spring checklist made from the autumn one) */
export async function copyChecklist(
  store: Store,
  t: Template,
  ask: { newId: string; titleZh: string; titleEn: string },
): Promise<Template> {
  const { newId, titleZh } = ask;
  const problems = [
    ...(/^[a-z0-9][a-z0-9-]{1,62}$/.test(newId) ? [] : ['新清单标识只能用小写字母、数字和短横线（2 到 63 个字符）']),
    ...(newId && (await store.getTemplate(newId)) ? [`清单 ${newId} 已存在`] : []),
    ...(titleZh ? [] : ['新清单名称不能为空']),
  ];
  if (problems.length) throw new BadRequestError(problems.join('；'));
  return saveNewVersion(store, {
    ...t,
    id: newId,
    title: { zh: titleZh, en: ask.titleEn || titleZh },
    source: `${t.source} (copied from ${t.id} v${t.version})`,
  });
}

/** The editor's task actions: up, down, retire (anything else is not found). */
export function assertMoveAction(what: string): void {
  if (!['up', 'down', 'retire'].includes(what)) throw new NotFoundError(`no action ${what}`);
}

/** A task moved up or down, or retired, as a new version. */
export async function moveTask(store: Store, t: Template, taskId: string, what: string): Promise<Template> {
  assertMoveAction(what);
  const i = t.tasks.findIndex((y) => y.id === taskId);
  if (i < 0) throw new NotFoundError(`checklist ${t.id} v${t.version} has no task ${taskId}`);
  const tasks = [...t.tasks];
  if (what === 'retire') {
    if (tasks.length === 1) throw new BadRequestError('a checklist keeps at least one task');
    tasks.splice(i, 1);
  } else {
    const j = what === 'up' ? i - 1 : i + 1;
    if (j < 0 || j >= tasks.length) throw new BadRequestError(`task ${tasks[i]!.id} cannot move ${what}`);
    [tasks[i], tasks[j]] = [tasks[j]!, tasks[i]!];
  }
  return saveNewVersion(store, { ...t, tasks });
}
