/**
 * "yyyy-MM-dd HH:mm" of an instant in a zone: pages, exports, notices and the CLI all write local times this way. One cached
 * Intl.DateTimeFormat per zone: luxon's zone offset lookup per call was the largest single cost
 * of the care page (about 15 µs per timestamp, thousands per page).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatLocal(ms: number, zone: string): string {
  let f = formatters.get(zone);
  if (!f) {
    // Swedish writes dates the ISO way: "2024-10-21 15:30"
    f = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  return f.format(ms);
}
