/** UI text of the student-care pages, both languages (care-zh.ts, care-en.ts). `{name}` marks a placeholder (see `fill`). */
import { en } from './care-en';
import { zh } from './care-zh';

export type { CareMessages } from './care-zh';

export const CARE_MESSAGES = { 'zh-CN': zh, en } as const;

/** Replaces `{name}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}
