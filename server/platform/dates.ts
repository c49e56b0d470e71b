/**
 * The date rule of domain/dates.ts at the HTTP boundary: the same checks, refused as
 * BadRequestError (400, and a page form goes back with the message).
 */
import { InvalidDateError, parseInstant, parseMonth, parseOptionalInstant, type InstantRule } from '../../domain/dates';
import { BadRequestError } from './auth/context';

export { CLOCK_SKEW_MS, DAY_MS, type InstantRule } from '../../domain/dates';

function asBadRequest<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InvalidDateError) throw new BadRequestError(e.message);
    throw e;
  }
}

/** An instant from a request (epoch ms, ISO 8601, or local text in the school's zone) within the rule's window; else 400. */
export const instantFrom = (value: unknown, field: string, rule: InstantRule): number =>
  asBadRequest(() => parseInstant(value, field, rule));
/** instantFrom, with null for an absent value. */
export const optionalInstantFrom = (value: unknown, field: string, rule: InstantRule): number | null =>
  asBadRequest(() => parseOptionalInstant(value, field, rule));
/** A month "YYYY-MM" from a request within the rule's window; else 400. */
export const monthFrom = (value: unknown, field: string, rule: InstantRule): string =>
  asBadRequest(() => parseMonth(value, field, rule));
