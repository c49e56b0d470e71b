/**
 * Student care (docs/domain.md §4, §5): the school's care settings (the durations of the crisis,
 * screening and pairing procedures, with the docs/domain.md defaults and safe bounds), the problem
 * categories of the intervention ledger (seed 003 appendix 4) and the ledger's columns in the
 * appendix's order. Pure: used by the web layer, the CLI and the activities.
 */
import { z } from './zod';
import type { CrisisDurations } from '../contracts/crisis';

import {
  DAY_MS as DAY,
  DEFAULT_DURATIONS,
  HOUR_MS as HOUR,
  MINUTE_MS as MIN,
  type ScreeningDurations,
} from './care-durations';

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * Bounds keep a procedure meaningful: a school may tighten a deadline to a few minutes, but not
 * loosen the 24-hour supervision's check-ins beyond 8 hours or the on-scene acknowledgement
 * beyond 4 hours.
 */
export const careSettingsSchema = z
  .object({
    crisis: z
      .object({
        /** on-scene acknowledgement after the report (docs/domain.md §5: 30 min) */
        onSceneAckMinutes: int(5, 240),
        /** the college leader confirms the school departments were notified (1 h) */
        schoolNotifyMinutes: int(10, 480),
        /** after the college leader is alerted, the school is (30 min) */
        schoolAfterMinutes: int(5, 240),
        /** a guardian's check-in during special supervision (2 h) */
        checkInEveryMinutes: int(15, 480),
        /** the special supervision's length before the school is alerted hourly (24 h) */
        supervisionHours: int(1, 72),
        /** once the supervision is overdue, the school is alerted this often (1 h) */
        schoolAlertEveryMinutes: int(15, 240),
      })
      .strict(),
    screening: z
      .object({
        /** red / level-1 warning: interview within (3 days) */
        redInterviewDays: int(1, 14),
        /** orange / level-2 warning (7 days) */
        orangeInterviewDays: int(1, 30),
        /** reminder this long before the interview deadline (24 h) */
        reminderBeforeHours: int(1, 72),
        /** after the level-1 escalation at the deadline, the school (48 h) */
        schoolAfterHours: int(1, 168),
      })
      .strict(),
    pairing: z
      .object({
        /** a talk at least this often (15 days: half a month) */
        talkEveryDays: int(1, 31),
        /** reminder to the teacher this long before (2 days) */
        remindBeforeDays: int(0, 30),
        /** after the level-1 escalation, the school (2 days) */
        schoolAfterDays: int(1, 14),
        /** a teacher's students before the school admin must record a reason (5) */
        maxStudentsPerTeacher: int(1, 50),
      })
      .strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    // [broken, the field named, why]: durations that contradict each other
    const rules: Array<[boolean, [string, string], string]> = [
      [
        s.screening.reminderBeforeHours >= s.screening.redInterviewDays * 24,
        ['screening', 'reminderBeforeHours'],
        'the reminder must come before the red warning’s interview deadline',
      ],
      [
        s.screening.orangeInterviewDays < s.screening.redInterviewDays,
        ['screening', 'orangeInterviewDays'],
        'an orange warning cannot be more urgent than a red one',
      ],
      [
        s.pairing.remindBeforeDays >= s.pairing.talkEveryDays,
        ['pairing', 'remindBeforeDays'],
        'the reminder must come before the talk is due',
      ],
      [
        s.crisis.schoolNotifyMinutes < s.crisis.onSceneAckMinutes,
        ['crisis', 'schoolNotifyMinutes'],
        'the school departments are notified after the on-scene acknowledgement is due, not before',
      ],
    ];
    for (const [broken, path, message] of rules) if (broken) ctx.addIssue({ code: 'custom', path, message });
  });
export type CareSettings = z.infer<typeof careSettingsSchema>;

/**
 * The defaults as a settings document, in the settings' units: derived from the one definition in
 * milliseconds (domain/care-durations.ts DEFAULT_DURATIONS).
 */
export const DEFAULT_CARE_SETTINGS: CareSettings = careSettingsFromDurations(DEFAULT_DURATIONS, 5);

/** A settings document holding these durations (each a whole number of the setting's unit). */
export function careSettingsFromDurations(d: typeof DEFAULT_DURATIONS, maxStudentsPerTeacher: number): CareSettings {
  const { crisis: c, screening: s, pairing: p } = d;
  return {
    crisis: {
      onSceneAckMinutes: c.onSceneAckMs / MIN,
      schoolNotifyMinutes: c.schoolNotifyMs / MIN,
      schoolAfterMinutes: c.schoolAfterMs / MIN,
      checkInEveryMinutes: c.checkInEveryMs / MIN,
      supervisionHours: c.supervisionMs / HOUR,
      schoolAlertEveryMinutes: c.schoolAlertEveryMs / MIN,
    },
    screening: {
      redInterviewDays: s.redInterviewMs / DAY,
      orangeInterviewDays: s.orangeInterviewMs / DAY,
      reminderBeforeHours: s.reminderBeforeMs / HOUR,
      schoolAfterHours: s.schoolAfterMs / HOUR,
    },
    pairing: {
      talkEveryDays: p.talkEveryMs / DAY,
      remindBeforeDays: p.remindBeforeMs / DAY,
      schoolAfterDays: p.schoolAfterMs / DAY,
      maxStudentsPerTeacher,
    },
  };
}

/** The problems of a submitted settings document, each as "path: message"; empty when valid. */
export function careSettingsProblems(body: unknown): string[] {
  const r = careSettingsSchema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`);
}

type Unit = 'Minutes' | 'Hours' | 'Days';
const UNIT_MS: Record<Unit, number> = { Minutes: MIN, Hours: HOUR, Days: DAY };
/** A settings section's durations in milliseconds: `fooMinutes` → `fooMs` (likewise Hours, Days); other fields left out. */
type InMs<T> = { [K in keyof T as K extends `${infer Name}${Unit}` ? `${Name}Ms` : never]: number };

/** A section of the settings in the workflows' milliseconds: `onSceneAckMinutes: 30` → `onSceneAckMs: 1800000`. */
function inMs<T extends Record<string, number>>(section: T): InMs<T> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(section)) {
    const m = /^(.+)(Minutes|Hours|Days)$/.exec(key);
    if (m) out[`${m[1]}Ms`] = value * UNIT_MS[m[2] as Unit];
  }
  return out as InMs<T>;
}

export const crisisDurations = (s: CareSettings): CrisisDurations => inMs(s.crisis);
export const screeningDurations = (s: CareSettings): ScreeningDurations => inMs(s.screening);
/** the pairing's clock (its maxStudentsPerTeacher is not a duration) */
export const pairingClock = (s: CareSettings) => inMs(s.pairing);

/** 问题分类 of the intervention ledger (seed 003 appendix 4), in the appendix's order. */
export const LEDGER_CATEGORIES = [
  { id: 'emotional', zh: '情感问题', en: 'emotional' },
  { id: 'personality', zh: '性格问题', en: 'personality' },
  { id: 'interpersonal', zh: '人际交往问题', en: 'interpersonal' },
  { id: 'adjustment', zh: '适应问题', en: 'adjustment' },
  { id: 'employment', zh: '就业问题', en: 'employment' },
  { id: 'academic', zh: '学业问题', en: 'academic' },
  { id: 'disorder', zh: '心理障碍', en: 'psychological disorder' },
  { id: 'physical', zh: '身体健康问题', en: 'physical health' },
  { id: 'other', zh: '其他状况', en: 'other' },
] as const;
export type LedgerCategory = (typeof LEDGER_CATEGORIES)[number]['id'];
export const LEDGER_CATEGORY_IDS: readonly string[] = LEDGER_CATEGORIES.map((c) => c.id);

/** The intervention ledger's columns (××学院重点、高危学生心理干预台账), in the appendix's order. */
export const LEDGER_COLUMNS = [
  { key: 'seq', zh: '序号', width: 6 },
  { key: 'name', zh: '姓名', width: 10 },
  { key: 'gender', zh: '性别', width: 6 },
  { key: 'majorClass', zh: '专业班级', width: 18 },
  { key: 'contact', zh: '联系方式', width: 16 },
  { key: 'interviewAt', zh: '约谈时间', width: 17 },
  { key: 'categories', zh: '问题分类', width: 20 },
  { key: 'lifeSafety', zh: '是否涉及生命安全', width: 10 },
  { key: 'description', zh: '主要情况描述', width: 40 },
  { key: 'liaison', zh: '对接老师', width: 10 },
  { key: 'plan', zh: '干预计划', width: 40 },
  { key: 'followUp', zh: '跟踪情况、是否心理咨询或就医', width: 50 },
] as const;

/** A reason a student is on the key-care list. */
export type KeyCareReason =
  { kind: 'group'; month: string; index: number; zh: string } | { kind: 'screening' | 'crisis' | 'other'; zh: string };
