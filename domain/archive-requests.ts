/**
 * A student's request to see, correct or delete their data (PIPL Art. 44–47: 查阅、复制、更正、删除),
 * recorded by the counselling centre on the student's behalf and answered within the school's
 * deadline (archive_settings.data_request_days, 15 days by default): a reminder 3 days before,
 * the school administration alerted when it is missed. Pure: the kinds, the instants, the checks.
 */
import { controlCharProblem } from './text';

export const DATA_REQUEST_KINDS = ['access', 'correction', 'deletion'] as const;
export type DataRequestKind = (typeof DATA_REQUEST_KINDS)[number];

const DAY = 86_400_000;
/** The reminder before the deadline (like a task's: domain/schema.ts remindBefore P3D). */
export const DATA_REQUEST_REMIND_BEFORE_MS = 3 * DAY;
export const MAX_REQUEST_TEXT = 2000;

/**
 * The deadline of a request received on the day starting at `receivedDay` (local midnight): the end
 * of the `days`-th day after it (received 3 December, 15 days: 18 December 24:00). Whole days of
 * 24 hours: the schools' zone (Asia/Shanghai) has no daylight saving.
 */
export const dataRequestDeadline = (receivedDay: number, days: number): number => receivedDay + (days + 1) * DAY;

/** The problems of a recorded request (kind, what was asked), each naming its field. */
export function dataRequestProblems(b: { kind?: unknown; request?: unknown }): string[] {
  const problems: string[] = [];
  if (!(DATA_REQUEST_KINDS as readonly unknown[]).includes(b.kind))
    problems.push(`kind must be one of ${DATA_REQUEST_KINDS.join(', ')}`);
  problems.push(...textProblems('request (请求内容)', b.request));
  return problems;
}

/** The problems of an answer (what was given, corrected or deleted). */
export const answerProblems = (answer: unknown): string[] => textProblems('answer (答复)', answer);

function textProblems(field: string, v: unknown): string[] {
  if (typeof v !== 'string' || !v.trim()) return [`${field} is required`];
  if (v.length > MAX_REQUEST_TEXT) return [`${field} is longer than ${MAX_REQUEST_TEXT} characters`];
  const problem = controlCharProblem(v, { multiline: true });
  return problem ? [`${field}: ${problem}`] : [];
}
