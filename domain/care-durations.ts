/**
 * The durations of the care procedures (docs/domain.md §3–§5): ONE definition of their defaults, in ONE
 * unit (milliseconds, what the workflows sleep), and the conversions between the school's settings
 * (minutes, hours or days per field, domain/care.ts careSettingsSchema) and the workflows' inputs.
 * Workflow inputs recorded in running histories keep their form: the normalisers below read them,
 * filling a field an older input lacks with its default.
 */
import type { CrisisDurations } from '../contracts/crisis';
import type { PairingInput } from '../contracts/pairing';
import type { ScreeningInput, WarningLevel } from '../contracts/screening';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export interface ScreeningDurations {
  /** red / level-1 (红色/一级预警): interview within 3 days */
  redInterviewMs: number;
  /** orange / level-2 (橙色/二级预警): within 7 days */
  orangeInterviewMs: number;
  /** reminder this long before the interview deadline (1 day) */
  reminderBeforeMs: number;
  /** after the level-1 escalation at the deadline, the school (2 days) */
  schoolAfterMs: number;
}

export type PairingClock = Pick<PairingInput, 'talkEveryMs' | 'remindBeforeMs' | 'schoolAfterMs'>;

/** docs/domain.md §3–§5 defaults, in milliseconds; a school may change every one (its care settings). */
export const DEFAULT_DURATIONS: {
  crisis: CrisisDurations;
  screening: ScreeningDurations;
  pairing: PairingClock;
} = {
  crisis: {
    onSceneAckMs: 30 * MINUTE_MS,
    schoolNotifyMs: 60 * MINUTE_MS,
    schoolAfterMs: 30 * MINUTE_MS,
    checkInEveryMs: 2 * HOUR_MS,
    supervisionMs: 24 * HOUR_MS,
    schoolAlertEveryMs: HOUR_MS,
  },
  screening: {
    redInterviewMs: 3 * DAY_MS,
    orangeInterviewMs: 7 * DAY_MS,
    reminderBeforeMs: 1 * DAY_MS,
    schoolAfterMs: 2 * DAY_MS,
  },
  pairing: {
    talkEveryMs: 15 * DAY_MS,
    remindBeforeMs: 2 * DAY_MS,
    schoolAfterMs: 2 * DAY_MS,
  },
};

/** The crisis procedure's defaults (the form of CrisisInput.durations). */
export const DEFAULT_CRISIS_DURATIONS: CrisisDurations = DEFAULT_DURATIONS.crisis;
/** The screening follow-up's defaults. */
export const DEFAULT_SCREENING_DURATIONS: ScreeningDurations = DEFAULT_DURATIONS.screening;
/** The pairing clock's defaults (the duration fields of PairingInput). */
export const DEFAULT_PAIRING_CLOCK: PairingClock = DEFAULT_DURATIONS.pairing;

/**
 * A crisis case's durations as a workflow input or a stored case row holds them: the form recorded
 * in histories (every field in ms), or an older, partial one (a field missing, or no durations at
 * all: a case stored before its school had settings), each missing field taking its default.
 */
export function normaliseCrisisDurations(d: Partial<CrisisDurations> | null | undefined): CrisisDurations {
  const out = { ...DEFAULT_CRISIS_DURATIONS };
  for (const k of Object.keys(out) as Array<keyof CrisisDurations>) {
    const v = d?.[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  return out;
}

/**
 * The reminder and the school escalation of a screening follow-up from its input: inputs recorded
 * without them (the old form: they were optional) take the defaults.
 */
export function screeningClock(
  input: Pick<ScreeningInput, 'reminderBeforeMs' | 'schoolAfterMs'>,
): Pick<ScreeningDurations, 'reminderBeforeMs' | 'schoolAfterMs'> {
  return {
    reminderBeforeMs: input.reminderBeforeMs ?? DEFAULT_SCREENING_DURATIONS.reminderBeforeMs,
    schoolAfterMs: input.schoolAfterMs ?? DEFAULT_SCREENING_DURATIONS.schoolAfterMs,
  };
}

/** The interview deadline of a warning (docs/domain.md §3): red within 3 days of the import, orange within 7 (defaults). */
export function interviewDueAt(
  level: WarningLevel,
  importedAt: number,
  durations: Pick<ScreeningDurations, 'redInterviewMs' | 'orangeInterviewMs'>,
): number {
  return importedAt + (level === 'red' ? durations.redInterviewMs : durations.orangeInterviewMs);
}
