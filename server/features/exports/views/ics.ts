/** The private calendar feed as iCalendar (RFC 5545): one event per task, waived ones CANCELLED. */
import { DateTime } from 'luxon';
import type { TaskInstanceRow } from '../../../../db/store';
import { formatLocal } from '../../../../domain/local-time';
import { t as texts } from '../../../platform/i18n';
import { effectiveStatus } from '../use-cases';

/** right-hand side of every event UID: stable whatever host serves the feed */
const UID_DOMAIN = 'runxin-duty-tracker';

// ---------------------------------------------------------------------------------------------
// iCalendar (RFC 5545)

/** UTC date-time of an instant; a stored value that is not one (see domain/dates.ts) is written as the epoch, never thrown. */
const icsTime = (ms: number) => {
  const d = Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? DateTime.fromMillis(ms, { zone: 'utc' }) : null;
  return d?.isValid ? d.toFormat("yyyyMMdd'T'HHmmss'Z'") : '19700101T000000Z';
};
const icsText = (s: string) =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');

/** Folds a content line at 75 octets (continuations start with a space), never inside a character. */
function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (octets + n > 75) {
      parts.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += n;
  }
  parts.push(current);
  return parts.join('\r\n');
}

export function icsCalendar(
  tasks: TaskInstanceRow[],
  ctx: { who: string; zone: string; collegeName: Map<string, string>; nowMs: number },
): string {
  const t = texts('zh-CN').exports; // the feed has no session, hence no language: Chinese
  const stamp = icsTime(ctx.nowMs);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//runxin-duty-tracker//calendar feed//ZH',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${icsText(t.ics.calendarName(ctx.who))}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    'X-PUBLISHED-TTL:PT1H',
  ];
  for (const task of tasks) {
    const summary = t.ics.summary(task.titleZh, ctx.collegeName.get(task.collegeId) ?? task.collegeId);
    const description = [
      `${t.ics.status}：${t.statusNames[effectiveStatus(task, ctx.nowMs)]}`,
      `${t.ics.owner}：${t.roleNames[task.ownerRole]}`,
      `${t.ics.due}：${formatLocal(task.dueAt, ctx.zone)}`,
      ...(task.escalationLevel > 0 ? [`${t.ics.level}：${task.escalationLevel}`] : []),
    ].join('\n');
    const cancelled = task.status === 'waived';
    lines.push(
      'BEGIN:VEVENT',
      `UID:${task.id}@${UID_DOMAIN}`,
      `DTSTAMP:${stamp}`,
      `LAST-MODIFIED:${icsTime(task.updatedAt)}`,
      `DTSTART:${icsTime(task.dueAt - 30 * 60_000)}`,
      `DTEND:${icsTime(task.dueAt)}`,
      `SUMMARY:${icsText(summary)}`,
      `DESCRIPTION:${icsText(description)}`,
      `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
      'TRANSP:TRANSPARENT',
      ...(cancelled
        ? []
        : [
            'BEGIN:VALARM',
            'ACTION:DISPLAY',
            `DESCRIPTION:${icsText(t.ics.alarm(task.titleZh))}`,
            'TRIGGER;RELATED=END:-P1D',
            'END:VALARM',
          ]),
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
