/**
 * Roll forward (issue 12 part 4): last year's semester (its template version and its calendar) and a
 * new calendar are both planned, and the dated tasks are put side by side, task by task and
 * occurrence by occurrence (the template task id and its occurrence key: week-03, national-day,
 * exam-1, … are the same in every year). Each row says why the date moved (same month, same week of
 * the semester, the holiday moved, the exam weeks moved, …, and when the new date is a make-up
 * working day or last year's day is a day off this year), and flags what needs a decision: a holiday
 * this calendar lacks or has merged into another (the preview's adjustments, decided by the
 * template's rule), a date on a day off. The CLI (npm run semester -- roll-forward) and the web page
 * (/admin/roll-forward) both call `rollForwardPreview`, so they give the same plan. The rows: roll-forward-rows.ts.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../../../../db/store';
import { parseCalendar, parseTemplate } from '../../../../domain/load';
import type { Calendar } from '../../../../domain/schema';
import { rollForwardRows, type RollDate, type RollForwardPreview } from './roll-forward-rows';
import { createSemester, NotFoundError } from './setup';
import { AppError } from '../../../platform/errors';
import { t } from '../../../platform/i18n';

export class RollForwardError extends AppError {
  override name = 'RollForwardError';
  /** answered 400 by the web layer */
  readonly status = 400;
}

export interface RollForwardAsk {
  /** last year's semester */
  from: string;
  /** the new calendar: a stored calendar's id */
  calendarId: string;
  /** the template to plan, when not the old semester's: id and version (default: its latest) */
  templateId?: string;
  templateVersion?: number;
}

/** Loads last year's semester, its template version and calendar, and the new calendar from the store, and puts the plans side by side. */
export async function rollForwardPreview(store: Store, ask: RollForwardAsk): Promise<RollForwardPreview> {
  const semester = await store.getSemester(ask.from);
  if (!semester) throw new NotFoundError(`unknown semester ${ask.from}`);
  const oldTemplateRow = await store.getTemplate(semester.templateId, semester.templateVersion);
  if (!oldTemplateRow)
    throw new NotFoundError(
      `template ${semester.templateId} v${semester.templateVersion} of semester ${semester.id} is missing`,
    );
  const oldCalendarRow = await store.getCalendar(semester.calendarId);
  if (!oldCalendarRow) throw new NotFoundError(`calendar ${semester.calendarId} of semester ${semester.id} is missing`);
  const newCalendarRow = await store.getCalendar(ask.calendarId);
  if (!newCalendarRow) throw new NotFoundError(`unknown calendar ${ask.calendarId}`);
  const templateId = ask.templateId || semester.templateId;
  const newTemplateRow =
    ask.templateId || ask.templateVersion ? await store.getTemplate(templateId, ask.templateVersion) : oldTemplateRow;
  if (!newTemplateRow)
    throw new NotFoundError(`unknown template ${templateId}${ask.templateVersion ? ` v${ask.templateVersion}` : ''}`);
  const { rows, adjustments } = rollForwardRows({
    oldTemplate: parseTemplate(`template ${oldTemplateRow.id} v${oldTemplateRow.version}`, oldTemplateRow.body),
    oldCalendar: parseCalendar(`calendar ${oldCalendarRow.id}`, oldCalendarRow.body),
    newTemplate: parseTemplate(`template ${newTemplateRow.id} v${newTemplateRow.version}`, newTemplateRow.body),
    newCalendar: parseCalendar(`calendar ${newCalendarRow.id}`, newCalendarRow.body),
  });
  return {
    from: {
      semesterId: semester.id,
      templateId: semester.templateId,
      templateVersion: semester.templateVersion,
      calendarId: semester.calendarId,
    },
    to: { templateId: newTemplateRow.id, templateVersion: newTemplateRow.version, calendarId: newCalendarRow.id },
    rows,
    adjustments,
    flagged: rows.filter((r) => r.flags.length).length,
  };
}

/**
 * Stores an uploaded (or read) calendar for the roll forward: validated; a stored calendar with the
 * same id and other content is refused (calendars are not versioned, and a running semester plans
 * from its calendar), the same content is reused.
 */
export async function storeNewCalendar(store: Store, name: string, text: string): Promise<Calendar> {
  const calendar = parseCalendar(name, text);
  const sha256 = createHash('sha256').update(text).digest('hex');
  const existing = await store.getCalendar(calendar.id);
  if (existing && existing.sha256 !== sha256) {
    if (JSON.stringify(parseCalendar(`calendar ${existing.id}`, existing.body)) === JSON.stringify(calendar))
      return calendar;
    throw new RollForwardError(
      `${name}: a different calendar "${calendar.id}" is already stored; give this one another id`,
    );
  }
  if (!existing) await store.saveCalendar({ id: calendar.id, nameZh: calendar.name.zh, body: text, sha256 });
  return calendar;
}

/** Creates the new semester from a preview (the template version and calendar it planned). */
export async function createRolledSemester(
  store: Store,
  schoolId: string,
  preview: RollForwardPreview,
  id: string,
  taskModel?: string,
): Promise<void> {
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(id))
    throw new RollForwardError('semester id must be 2–63 lower-case letters, digits and dashes');
  if (await store.getSemester(id)) throw new RollForwardError(`semester ${id} already exists`);
  await createSemester(store, {
    id,
    schoolId,
    templateId: preview.to.templateId,
    templateVersion: preview.to.templateVersion,
    calendarId: preview.to.calendarId,
    taskModel,
  });
}

/** The table as text (the CLI's output). */
export function rollForwardTable(p: RollForwardPreview): string {
  const lines = [
    `roll forward: ${p.from.semesterId} (${p.from.templateId} v${p.from.templateVersion}, calendar ${p.from.calendarId}) → ${p.to.templateId} v${p.to.templateVersion}, calendar ${p.to.calendarId}`,
    `${p.rows.length} rows, ${p.flagged} need a decision`,
    '',
  ];
  const day = (d: RollDate | null) => (d ? `${d.due.slice(0, 10)} ${t('en').codes.weekdays[d.weekday]}` : '—');
  for (const r of p.rows) {
    lines.push(
      `${r.flags.length ? '!' : ' '} ${`${r.templateTaskId}${r.occurrence ? `#${r.occurrence}` : ''}`.padEnd(52)} ${day(r.old).padEnd(14)} → ${day(r.new).padEnd(14)} ${r.why.en}`,
    );
    for (const f of r.flags) lines.push(`    ! ${f.code}: ${f.en}`);
  }
  return `${lines.join('\n')}\n`;
}
