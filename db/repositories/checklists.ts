/** The listings of the checklist and roll-forward pages that db/store.ts does not have (server/features/checklists, semesters). */
import type { Knex } from 'knex';

export interface TemplateListRow {
  id: string;
  version: number;
  title_zh: string;
  kind: string;
}

/** Every stored template version, by id then version. */
export async function listTemplateVersions(knex: Knex): Promise<TemplateListRow[]> {
  return (await knex('templates')
    .select('id', 'version', 'title_zh', 'kind')
    .orderBy([{ column: 'id' }, { column: 'version' }])) as TemplateListRow[];
}

/** Every stored calendar: its id and Chinese name. */
export async function listCalendarNames(knex: Knex): Promise<Array<{ id: string; name_zh: string }>> {
  return (await knex('calendars').select('id', 'name_zh').orderBy('id')) as Array<{ id: string; name_zh: string }>;
}

/** The task ids every version of a template has used. */
export async function templateTaskIdsEverUsed(knex: Knex, templateId: string): Promise<Set<string>> {
  return new Set(
    ((await knex('templates').where({ id: templateId }).select('body')) as Array<{ body: string }>).flatMap((row) =>
      (JSON.parse(row.body) as { tasks: Array<{ id: string }> }).tasks.map((x) => x.id),
    ),
  );
}
