/** An indicator's value as words (the page and the export say it the same way), in the indicators' texts of a language. */
import type { UnitValue } from '../../../domain/indicators';
import type { IndicatorMessages } from './indicators';

/** A share in whole percent ("97%"), one decimal below 100 when it would round up to it ("99.9%"). */
function percent(rate: number): string {
  const whole = Math.round(rate * 100);
  if (whole === 100 && rate < 1) return `${(Math.floor(rate * 1000) / 10).toFixed(1)}%`;
  return `${whole}%`;
}

/** The value's figures as one line; '–' when there is nothing to show (no data, not collected). */
export function indicatorValueText(v: UnitValue, m: IndicatorMessages): string {
  const f = v.figures;
  switch (f.kind) {
    case 'staffing':
      return m.ratio(f.studentsPerStaff, f.staff, f.students);
    case 'course':
      return m.courseValue(f.hours, f.credits);
    case 'rate':
      if (f.rate === null) return f.cases ? `${m.none}${m.casesValue(f.cases)}` : m.none;
      return `${m.rateValue(percent(f.rate), f.done, f.of)}${f.cases !== undefined ? m.casesValue(f.cases) : ''}`;
    default:
      return m.none;
  }
}

/** The headline figure alone (a tile's big number): the ratio, the hours or the percentage. */
export function indicatorHeadline(v: UnitValue, m: IndicatorMessages): string {
  const f = v.figures;
  if (f.kind === 'staffing')
    return f.studentsPerStaff === null ? `0:${f.students}` : `1:${Math.round(f.studentsPerStaff)}`;
  if (f.kind === 'course') return m.courseValue(f.hours, f.credits);
  if (f.kind === 'rate' && f.rate !== null) return percent(f.rate);
  return m.none;
}
