/**
 * The student archive 一生一档 (seed 003 §3, §8 and appendix 3 "学生心理健康档案"): its sections and the
 * fields only people know, edited by hand and versioned (who changed what, when). The process
 * sections (assessments, the timeline of interviews, crisis cases, key-care periods, ledger entries
 * and pairing talks) are read from the processes' own records: see domain/archive-timeline.ts.
 * Pure: the field list, the check of a submitted value, the retention rule.
 */
import { controlCharProblem } from './text';

/** The archive's sections in appendix 3's order (personal data first, the support given last). */
export const ARCHIVE_SECTIONS = [
  'personal',
  'family',
  'relationships',
  'lifeEvents',
  'assessments',
  'timeline',
  'support',
] as const;
export type ArchiveSection = (typeof ARCHIVE_SECTIONS)[number];

type FieldKind =
  | { kind: 'choice'; options: readonly string[] }
  | { kind: 'text'; max: number; multiline: boolean }
  | { kind: 'events' };

export type ArchiveFieldDef = { key: string; section: ArchiveSection } & FieldKind;

const text = (max: number, multiline = max > 100) => ({ kind: 'text' as const, max, multiline });

/** Appendix 3's hand-written fields: the checkbox rows are choices, "其他：___" and "若差请具体描述" notes. */
export const ARCHIVE_FIELDS: readonly ArchiveFieldDef[] = [
  { key: 'gender', section: 'personal', kind: 'choice', options: ['male', 'female'] }, // 性别
  { key: 'phone', section: 'personal', ...text(40) }, // 联系电话
  { key: 'liaisonTeacher', section: 'personal', ...text(100) }, // 对接老师
  { key: 'health', section: 'personal', kind: 'choice', options: ['very_good', 'good', 'fair', 'poor', 'very_poor'] }, // 健康状况
  { key: 'healthNote', section: 'personal', ...text(2000) }, // 若差请具体描述
  {
    key: 'parentsRelation', // 父母关系
    section: 'family',
    kind: 'choice',
    options: ['harmonious', 'discordant', 'separated', 'divorced', 'other'],
  },
  { key: 'parentsRelationNote', section: 'family', ...text(500) },
  {
    key: 'familyAtmosphere', // 家庭气氛
    section: 'family',
    kind: 'choice',
    options: ['harmonious', 'ordinary', 'strained', 'gloomy', 'other'],
  },
  { key: 'familyAtmosphereNote', section: 'family', ...text(500) },
  {
    key: 'parenting', // 家庭教育模式
    section: 'family',
    kind: 'choice',
    options: ['democratic', 'doting', 'strict', 'permissive', 'other'],
  },
  { key: 'parentingNote', section: 'family', ...text(500) },
  { key: 'familyContacts', section: 'family', ...text(1000) }, // 家庭联系人 (seed 003 §6: 与家长沟通)
  {
    key: 'teacherRelation', // 师生关系
    section: 'relationships',
    kind: 'choice',
    options: ['harmonious', 'average', 'poor', 'very_poor', 'unbearable'],
  },
  { key: 'peerRelations', section: 'relationships', ...text(2000) }, // 同伴、寝室关系
  { key: 'lifeEvents', section: 'lifeEvents', kind: 'events' }, // 印象深刻的生活事件: 时间, 重要人物和事件经过
  { key: 'supportGiven', section: 'support', ...text(5000) }, // 心理帮扶情况
  { key: 'supportOutcome', section: 'support', ...text(5000) }, // its outcome
];

export const ARCHIVE_FIELD_KEYS = ARCHIVE_FIELDS.map((f) => f.key);
const BY_KEY = new Map(ARCHIVE_FIELDS.map((f) => [f.key, f]));
export const archiveField = (key: string): ArchiveFieldDef | undefined => BY_KEY.get(key);

/** A major life event (印象深刻的生活事件): when (YYYY-MM or YYYY-MM-DD, or empty) and what. */
export interface LifeEvent {
  date: string;
  text: string;
}
export const MAX_LIFE_EVENTS = 50;

/**
 * The stored form of a submitted value (a string; the life events as JSON; empty as null), or the
 * problem naming the field. Unknown fields are refused by name.
 */
export function archiveValue(key: string, value: unknown): { value: string | null } | { problem: string } {
  const def = archiveField(key);
  if (!def) return { problem: `unknown archive field "${key}"` };
  if (def.kind === 'events') return eventsValue(key, value);
  if (value !== null && value !== undefined && typeof value !== 'string')
    return { problem: `${key}: expected text, got ${typeof value}` };
  const s = (value ?? '').trim();
  if (!s) return { value: null };
  if (def.kind === 'choice')
    return def.options.includes(s)
      ? { value: s }
      : { problem: `${key}: "${s}" is not one of ${def.options.join(', ')}` };
  if (s.length > def.max) return { problem: `${key}: longer than ${def.max} characters` };
  const bad = controlCharProblem(s, { multiline: def.multiline });
  return bad ? { problem: `${key}: ${bad}` } : { value: s };
}

function eventsValue(key: string, value: unknown): { value: string | null } | { problem: string } {
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = value.trim() ? JSON.parse(value) : [];
    } catch {
      return { problem: `${key}: not a JSON list of { date, text }` };
    }
  }
  if (list === null || list === undefined) list = [];
  if (!Array.isArray(list)) return { problem: `${key}: expected a list of { date, text }` };
  if (list.length > MAX_LIFE_EVENTS) return { problem: `${key}: at most ${MAX_LIFE_EVENTS} events` };
  const out: LifeEvent[] = [];
  for (const [i, e] of list.entries()) {
    const date = typeof (e as LifeEvent)?.date === 'string' ? (e as LifeEvent).date.trim() : '';
    const what = typeof (e as LifeEvent)?.text === 'string' ? (e as LifeEvent).text.trim() : '';
    if (!date && !what) continue;
    if (date && !/^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/.test(date))
      return { problem: `${key}[${i + 1}].date: "${date}" is not a date (YYYY-MM or YYYY-MM-DD)` };
    if (!what) return { problem: `${key}[${i + 1}].text: describe the event` };
    if (what.length > 2000) return { problem: `${key}[${i + 1}].text: longer than 2000 characters` };
    const bad = controlCharProblem(what, { multiline: true });
    if (bad) return { problem: `${key}[${i + 1}].text: ${bad}` };
    out.push({ date, text: what });
  }
  return { value: out.length ? JSON.stringify(out) : null };
}

/** The life events of a stored value (an unreadable value reads as none). */
export function lifeEventsOf(value: string | null | undefined): LifeEvent[] {
  if (!value) return [];
  try {
    const list = JSON.parse(value) as unknown;
    return Array.isArray(list) ? (list as LifeEvent[]) : [];
  } catch {
    return [];
  }
}

// -- retention (PIPL Art. 19, 47: kept no longer than the purpose needs, then deleted) --

export const LEFT_REASONS = ['transferred', 'graduated', 'withdrew', 'other'] as const;
export type LeftReason = (typeof LEFT_REASONS)[number];

/** The school's settings of the archive: how long a closed archive is kept, the data-request deadline. */
export interface ArchiveSettings {
  retentionDays: number;
  dataRequestDays: number;
}
/** Defaults: kept a year after the student leaves (hand-over and follow-up questions), requests answered in 15 days (PIPL Art. 50 leaves the term to the handler; 15 days is the usual term). */
export const DEFAULT_ARCHIVE_SETTINGS: ArchiveSettings = { retentionDays: 365, dataRequestDays: 15 };
export const ARCHIVE_SETTING_BOUNDS = { retentionDays: [1, 3650], dataRequestDays: [1, 30] } as const;

export function archiveSettingsProblems(s: Partial<Record<keyof ArchiveSettings, unknown>>): string[] {
  return (Object.keys(ARCHIVE_SETTING_BOUNDS) as Array<keyof ArchiveSettings>).flatMap((k) => {
    const v = s[k];
    const [min, max] = ARCHIVE_SETTING_BOUNDS[k];
    if (typeof v !== 'number' || !Number.isInteger(v)) return [`${k}: a whole number of days`];
    return v < min || v > max ? [`${k}: between ${min} and ${max} days`] : [];
  });
}

const DAY = 86_400_000;
/** When a closed archive is purged: the day the student left plus the retention period. */
export const purgeDueAt = (leftAt: number, retentionDays: number): number => leftAt + retentionDays * DAY;
/** When a data request must be answered. */
export const dataRequestDueAt = (receivedAt: number, days: number): number => receivedAt + days * DAY;
