/**
 * "yyyy-MM-dd HH:mm" of an instant in a zone: pages, exports, notices and the CLI all write local times this way. One cached
 * Intl.DateTimeFormat per zone: luxon's zone offset lookup per call was the largest single cost
 * of the care page (about 15 µs per timestamp, thousands per page).
 *
 * It never throws: a stored value that is not an instant (1e300, NaN, text) is written as
 * `invalid` ("无效日期" unless told otherwise), so one bad row cannot break a page or an export.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

export const INVALID_DATE_ZH = '无效日期';
export const INVALID_DATE_EN = 'invalid date';
/** The largest |epoch ms| a JavaScript Date holds (±100,000,000 days). */
const MAX_DATE_MS = 8.64e15;

export function formatLocal(ms: number, zone: string, invalid: string = INVALID_DATE_ZH): string {
  const n = typeof ms === 'number' ? ms : Number(ms);
  if (!Number.isFinite(n) || Math.abs(n) > MAX_DATE_MS) return invalid;
  try {
    let f = formatters.get(zone);
    if (!f) {
      // Swedish writes dates the ISO way: "2024-10-21 15:30"
      f = new Intl.DateTimeFormat('sv-SE', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
      formatters.set(zone, f);
    }
    return f.format(n);
  } catch {
    return invalid;
  }
}
