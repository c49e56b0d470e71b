/**
 * The semester administration's rules (school admin, or the ops token): a new semester from a
 * stored or uploaded template and calendar, and a semester's dated plan for its preview.
 */
import type { Store } from '../../../../db/store';
import { parseCalendar } from '../../../../domain/load';
import { previewPlan } from '../../../../domain/planner';
import { BadRequestError } from '../../../platform/auth/context';
import { createSemester, NotFoundError, registerDataTexts, templateOf } from './setup';

const SEMESTER_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** What the semester form (or POST /api/semesters) asks for; an uploaded file replaces the stored one. */
export interface NewSemesterAsk {
  id: string;
  templateId: string;
  templateVersion: number | undefined;
  calendarId: string;
  taskModel: string | undefined;
  files: Partial<Record<'templateFile' | 'calendarFile', { originalname: string; buffer: Buffer }>>;
}

/** Creates a semester of the school; uploaded files are validated, planned once and stored first. */
export async function createSemesterFromForm(store: Store, schoolId: string, ask: NewSemesterAsk): Promise<string> {
  const { id, files } = ask;
  if (!SEMESTER_ID.test(id))
    throw new BadRequestError('semester id must be 2–63 lower-case letters, digits and dashes');
  if (await store.getSemester(id)) throw new BadRequestError(`semester ${id} already exists`);
  let { templateId, templateVersion, calendarId } = ask;
  if (files.templateFile || files.calendarFile) {
    const tplText = files.templateFile
      ? files.templateFile.buffer.toString('utf8')
      : (await store.getTemplate(templateId, templateVersion))?.body;
    const calText = files.calendarFile
      ? files.calendarFile.buffer.toString('utf8')
      : (await store.getCalendar(calendarId))?.body;
    if (!tplText) throw new BadRequestError(`unknown template ${templateId}`);
    if (!calText) throw new BadRequestError(`unknown calendar ${calendarId}`);
    const stored = await registerDataTexts(store, {
      template: { name: files.templateFile?.originalname ?? `template ${templateId}`, text: tplText },
      calendar: { name: files.calendarFile?.originalname ?? `calendar ${calendarId}`, text: calText },
    });
    templateId = stored.template.id;
    templateVersion = stored.template.version;
    calendarId = stored.calendar.id;
  }
  const tpl = await store.getTemplate(templateId, templateVersion);
  if (!tpl) throw new BadRequestError(`unknown template ${templateId}`);
  await createSemester(store, {
    id,
    schoolId,
    templateId: tpl.id,
    templateVersion: tpl.version,
    calendarId,
    taskModel: ask.taskModel,
  });
  return id;
}

/** A semester of the school with its dated plan, and the holiday reminders a missing or merged holiday changed. */
export async function semesterPlan(store: Store, schoolId: string, id: string) {
  const semester = await store.getSemester(id);
  if (!semester || semester.schoolId !== schoolId) throw new NotFoundError(`unknown semester ${id}`);
  const calendarRow = await store.getCalendar(semester.calendarId);
  if (!calendarRow) throw new NotFoundError(`calendar ${semester.calendarId} is missing`);
  const colleges = await store.listColleges(schoolId);
  const template = await templateOf(store, semester);
  // the holiday reminders a missing or merged holiday changed, by the template's rule (skip / merge-into)
  const { plan, adjustments } = previewPlan({
    semesterId: id,
    template,
    calendar: parseCalendar(semester.calendarId, calendarRow.body),
    colleges,
  });
  const titled = adjustments.map((a) => ({
    ...a,
    title: template.tasks.find((x) => x.id === a.templateTaskId)?.title ?? {
      zh: a.templateTaskId,
      en: a.templateTaskId,
    },
  }));
  return { semester, plan, colleges, adjustments: titled };
}

/** A semester of the school (the API's replan and add-a-college name one). */
export async function semesterOfSchool(store: Store, schoolId: string, id: string) {
  const semester = await store.getSemester(id);
  if (!semester || semester.schoolId !== schoolId) throw new NotFoundError(`unknown semester ${id}`);
  return semester;
}
