/**
 * domain/care-durations.ts (issue 13): one definition of the care procedures' default durations,
 * in milliseconds; the settings document derives from it; workflow inputs keep their recorded
 * form and the normalisers read both the full form and the older, partial one.
 */
import { describe, expect, test } from 'vitest';
import { crisisDurations, DEFAULT_CARE_SETTINGS, pairingClock, screeningDurations } from '../domain/care';
import {
  DEFAULT_CRISIS_DURATIONS,
  DEFAULT_PAIRING_CLOCK,
  DEFAULT_SCREENING_DURATIONS,
  interviewDueAt,
  normaliseCrisisDurations,
  screeningClock,
} from '../domain/care-durations';
import { screeningSteps } from '../domain/screening';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('care durations', () => {
  test('When the defaults are read as settings and back as durations, then both forms say the same (docs/domain.md §3–§5)', () => {
    expect(DEFAULT_CARE_SETTINGS).toEqual({
      crisis: {
        onSceneAckMinutes: 30,
        schoolNotifyMinutes: 60,
        schoolAfterMinutes: 30,
        checkInEveryMinutes: 120,
        supervisionHours: 24,
        schoolAlertEveryMinutes: 60,
      },
      screening: { redInterviewDays: 3, orangeInterviewDays: 7, reminderBeforeHours: 24, schoolAfterHours: 48 },
      pairing: { talkEveryDays: 15, remindBeforeDays: 2, schoolAfterDays: 2, maxStudentsPerTeacher: 5 },
    });
    expect(crisisDurations(DEFAULT_CARE_SETTINGS)).toEqual(DEFAULT_CRISIS_DURATIONS);
    expect(screeningDurations(DEFAULT_CARE_SETTINGS)).toEqual(DEFAULT_SCREENING_DURATIONS);
    expect(pairingClock(DEFAULT_CARE_SETTINGS)).toEqual(DEFAULT_PAIRING_CLOCK);
    expect(DEFAULT_CRISIS_DURATIONS).toEqual({
      onSceneAckMs: 30 * MIN,
      schoolNotifyMs: 60 * MIN,
      schoolAfterMs: 30 * MIN,
      checkInEveryMs: 2 * HOUR,
      supervisionMs: 24 * HOUR,
      schoolAlertEveryMs: HOUR,
    });
  });

  test('When a crisis input holds every duration (the recorded form), then it is read as it is; when it holds some or none (an older form), then the missing ones take their defaults', () => {
    const recorded = { ...DEFAULT_CRISIS_DURATIONS, onSceneAckMs: 10 * MIN, supervisionMs: 12 * HOUR };
    expect(normaliseCrisisDurations(recorded)).toEqual(recorded);
    expect(normaliseCrisisDurations({ onSceneAckMs: 5 * MIN })).toEqual({
      ...DEFAULT_CRISIS_DURATIONS,
      onSceneAckMs: 5 * MIN,
    });
    expect(normaliseCrisisDurations(undefined)).toEqual(DEFAULT_CRISIS_DURATIONS);
    expect(normaliseCrisisDurations(null)).toEqual(DEFAULT_CRISIS_DURATIONS);
  });

  test('When a screening input carries its reminder and school delays, then they are used; when it was recorded without them (the old form), then the defaults are', () => {
    expect(screeningClock({ reminderBeforeMs: 2 * HOUR, schoolAfterMs: 3 * HOUR })).toEqual({
      reminderBeforeMs: 2 * HOUR,
      schoolAfterMs: 3 * HOUR,
    });
    expect(screeningClock({})).toEqual({ reminderBeforeMs: DAY, schoolAfterMs: 2 * DAY });
  });

  test('When a red and an orange warning are imported, then the red one is due within 3 days and the orange one within 7, with a reminder a day before and the school two days after', () => {
    const at = Date.UTC(2026, 8, 1);
    expect(interviewDueAt('red', at, DEFAULT_SCREENING_DURATIONS)).toBe(at + 3 * DAY);
    expect(interviewDueAt('orange', at, DEFAULT_SCREENING_DURATIONS)).toBe(at + 7 * DAY);
    const due = at + 3 * DAY;
    expect(screeningSteps(due, screeningClock({})).map((s) => [s.step, s.at - due, s.escalation])).toEqual([
      ['reminder', -DAY, undefined],
      ['overdue', 0, 1],
      ['escalated', 2 * DAY, 2],
    ]);
  });
});
