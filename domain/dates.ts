/**
 * The one rule for dates that come from outside (a form, the JSON API, a file): a real calendar
 * date within a plausible window, interpreted in the school's time zone when it is written as
 * local text. Every boundary calls parseInstant (or parseMonth); a refusal names the field, the
 * value and the window, e.g. "occurredAt: 1e300 is not a date between 2000-01-01 and 2027-12-02".
 *
 * Dates already stored outside the window (before this rule) are shown as "无效日期" by the
 * formatter (domain/local-time.ts) and listed by the data_problems migration.
 */
import { DateTime } from 'luxon';

/** No date of this service is earlier: 2000-01-01 (UTC; a few hours either way do not matter). */
export const EARLIEST_MS = Date.UTC(2000, 0, 1);
export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;
/** Default: at most about a year ahead (a semester planned ahead, a due date moved). */
export const DEFAULT_MAX_FUTURE_MS = 366 * DAY_MS;
/** Something that already happened: allow this much clock skew between the browser and the server. */
export const CLOCK_SKEW_MS = 5 * MINUTE_MS;

/** Stored values outside this window are garbage (what the data_problems migration flags). */
export const STORED_MIN_MS = EARLIEST_MS;
export const STORED_MAX_MS = Date.UTC(2100, 0, 1);

export interface InstantRule {
  /** the school's IANA zone: local text ("2024-10-21T15:30", "2024-10-21 15:30", "2024-10-21") is read in it */
  zone: string;
  /** the instant of the request (epoch ms) */
  now: number;
  /** not before this instant (default 2000-01-01) */
  notBefore?: number;
  /** not later than now + this (default about a year); CLOCK_SKEW_MS for something that already happened */
  maxFutureMs?: number;
}

/** A refused date; the server turns it into a 400 with this message. */
export class InvalidDateError extends Error {
  override name = 'InvalidDateError';
  readonly status = 400;
}

const shown = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number') return String(value);
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
  } catch {
    return typeof value;
  }
};

/** The window [min, max] of a rule, as epoch ms. */
export function instantWindow(rule: InstantRule): { min: number; max: number } {
  return {
    min: Math.max(EARLIEST_MS, rule.notBefore ?? EARLIEST_MS),
    max: rule.now + (rule.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS),
  };
}

function windowText(rule: InstantRule): string {
  const { min, max } = instantWindow(rule);
  // a tight window (minutes) needs the time of day; a wide one reads better as dates
  const format =
    max - min < 2 * DAY_MS || (rule.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS) < DAY_MS ? 'yyyy-MM-dd HH:mm' : 'yyyy-MM-dd';
  const f = (ms: number) => DateTime.fromMillis(ms, { zone: rule.zone }).toFormat(format);
  return `between ${f(min)} and ${f(max)}`;
}

/** Local text or ISO 8601 (with or without offset) in the zone; NaN when it is not a real date and time. */
function fromText(text: string, zone: string): number {
  const s = text.trim();
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(s)) return Number(s); // epoch ms written as text
  // "2024-10-21 15:30" (the dashboard's own format) as well as ISO "2024-10-21T15:30[:00][Z|+08:00]"
  const d = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(s)
    ? DateTime.fromSQL(s, { zone })
    : DateTime.fromISO(s, { zone });
  return d.isValid ? d.toMillis() : Number.NaN;
}

/**
 * The instant an input means (epoch ms), or InvalidDateError naming the field: a number (epoch
 * ms) or text (ISO 8601; local text in the rule's zone), a real calendar date, within the window.
 */
export function parseInstant(value: unknown, field: string, rule: InstantRule): number {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && value.trim()) ms = fromText(value, rule.zone);
  else
    throw new InvalidDateError(`${field}: ${shown(value)} is not a date (give a date and time, e.g. 2024-10-21T15:30)`);
  const { min, max } = instantWindow(rule);
  if (!Number.isFinite(ms) || !Number.isInteger(ms) || ms < min || ms > max)
    throw new InvalidDateError(`${field}: ${shown(value)} is not a date ${windowText(rule)}`);
  return ms;
}

/** parseInstant, with null for an absent value ('' or null or undefined). */
export function parseOptionalInstant(value: unknown, field: string, rule: InstantRule): number | null {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) return null;
  return parseInstant(value, field, rule);
}

/** A month "YYYY-MM" that exists and lies in the window; otherwise InvalidDateError naming the field. */
export function parseMonth(value: unknown, field: string, rule: InstantRule): string {
  const s = typeof value === 'string' ? value.trim() : '';
  const m = /^(\d{4})-(\d{2})$/.exec(s);
  const start = m
    ? DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone: rule.zone })
    : null;
  const { min, max } = instantWindow(rule);
  if (!start?.isValid || start.endOf('month').toMillis() < min || start.toMillis() > max) {
    const f = (ms: number) => DateTime.fromMillis(ms, { zone: rule.zone }).toFormat('yyyy-MM');
    throw new InvalidDateError(`${field}: ${shown(value)} is not a month (YYYY-MM) between ${f(min)} and ${f(max)}`);
  }
  return s;
}

/** True when a stored instant is one the service could have written (see STORED_MIN_MS/STORED_MAX_MS). */
export function isPlausibleStoredInstant(ms: unknown): boolean {
  const n = typeof ms === 'number' ? ms : typeof ms === 'string' && ms.trim() ? Number(ms) : Number.NaN;
  return Number.isFinite(n) && Number.isInteger(n) && n >= STORED_MIN_MS && n < STORED_MAX_MS;
}
