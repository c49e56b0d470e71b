/**
 * Checklist templates: immutable versions, keyed by (id, version).
 */
import type { Knex } from 'knex';
import { fromDb, insertIfAbsent, toDb, type Codec, type Upsert } from './codec';
import type { TemplateRow } from '../tables';

export interface TemplateRecord {
  id: string;
  version: number;
  kind: string;
  titleZh: string;
  titleEn: string;
  /** the template JSON text. */
  body: string;
  sha256: string;
  createdAt: number;
}

export type TemplateInput = Upsert<TemplateRecord, 'createdAt'>;

export const templateCodec: Codec<TemplateRecord, TemplateRow> = {
  id: ['id', 'text'],
  version: ['version', 'int'],
  kind: ['kind', 'text'],
  titleZh: ['title_zh', 'text'],
  titleEn: ['title_en', 'text'],
  body: ['body', 'text'],
  sha256: ['sha256', 'text'],
  createdAt: ['created_at', 'int'],
};

/**
 * Saves a template version. Versions are immutable: saving the same id, version and content again
 * is a no-op; saving different content under an existing id and version is an error.
 */
export async function saveTemplate(db: Knex, t: TemplateInput): Promise<'inserted' | 'unchanged'> {
  const row = { created_at: Date.now(), ...toDb(templateCodec, t) };
  if (await insertIfAbsent(db, 'templates', row, ['id', 'version'])) return 'inserted';
  const existing = await getTemplate(db, t.id, t.version);
  if (existing?.sha256 === t.sha256) return 'unchanged';
  throw new Error(
    `template ${t.id} version ${t.version} already exists with different content ` +
      `(stored sha256 ${existing?.sha256 ?? '?'}, new ${t.sha256}); save the change as a new version`,
  );
}

/** The given version, or the latest one when no version is given. */
export async function getTemplate(db: Knex, id: string, version?: number): Promise<TemplateRecord | undefined> {
  const q = db('templates').where({ id });
  if (version !== undefined) q.where({ version });
  const row = (await q.orderBy('version', 'desc').first()) as TemplateRow | undefined;
  return row && fromDb(templateCodec, row);
}
