/**
 * Semester checklists written for a test (not the files under checklists/): format 2, version 1,
 * source 'test', with the test's own tasks.
 */
import { templateSchema, type Template } from '../../domain/schema';

/** A semester checklist `id` titled [Chinese, English]; `body` gives its tasks (and months or phases). */
export const testChecklist = (id: string, [zh, en]: [string, string], body: Record<string, unknown>): Template =>
  templateSchema.parse({
    format: 2,
    id,
    version: 1,
    title: { zh, en },
    source: 'test',
    kind: 'semester-checklist',
    ...body,
  });
