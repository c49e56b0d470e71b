/** A new checklist version applied to a running ladder semester. */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Store } from '../../../../db/store';
import { parseCalendar, parseTemplate } from '../../../../domain/load';
import { planSemester } from '../../../../domain/planner';
import { collegeLadderWorkflowId } from '../../../../contracts/ids';
import { ladderReplanUpdate, type LadderReplanResult } from '../../../../contracts';
import { NotFoundError } from './setup';
import { AppError } from '../../../platform/errors';

/** A new checklist version refused for a running semester (the web layer answers with `status`). */
export class ReplanError extends AppError {
  override name = 'ReplanError';
  constructor(
    message: string,
    readonly status: 400 | 403 | 409 = 409,
  ) {
    super(message);
  }
}

export interface ReplanOutcome {
  semesterId: string;
  templateVersion: number;
  colleges: Array<{ collegeId: string; result?: LadderReplanResult; error?: string }>;
}

/**
 * Applies a new version of a running semester's checklist (issue 12 part 5): checks that it can be
 * dated on the semester's calendar, records it as the semester's version, and sends each college
 * ladder the validated Update `ladderReplan`, which adds, retires and moves tasks while keeping the
 * work done (workflows/college-ladder.ts). Each college's Update has a fixed id, so a retry returns
 * the first result and nothing is applied twice. Per-task semesters are refused: their task
 * workflows each hold their own dates.
 */
export async function replanSemester(
  client: Client,
  store: Store,
  req: {
    semesterId: string;
    templateVersion: number;
    reason: string;
    actor: { userId: string; role: string; collegeId: string | null };
  },
): Promise<ReplanOutcome> {
  const semester = await store.getSemester(req.semesterId);
  if (!semester) throw new NotFoundError(`unknown semester ${req.semesterId}`);
  if (req.actor.role !== 'school_admin')
    throw new ReplanError('only the school administration may apply a new checklist version', 403);
  if (!Number.isInteger(req.templateVersion) || req.templateVersion < 1)
    throw new ReplanError('templateVersion: a checklist version number is required', 400);
  if (typeof req.reason !== 'string' || !req.reason.trim())
    throw new ReplanError('reason: a reason is required to apply a new checklist version', 400);
  if (semester.taskModel !== 'ladder')
    throw new ReplanError(
      `semester ${semester.id} runs one workflow per task (created before the ladder model); a new checklist version applies to ladder semesters only`,
    );
  if (semester.status !== 'running')
    throw new ReplanError(
      `semester ${semester.id} is ${semester.status}, not running: ${semester.status === 'planned' ? 'change its checklist version before starting it' : 'it has ended'}`,
    );
  const templateRow = await store.getTemplate(semester.templateId, req.templateVersion);
  if (!templateRow) throw new NotFoundError(`unknown checklist ${semester.templateId} v${req.templateVersion}`);
  if (req.templateVersion <= semester.templateVersion)
    throw new ReplanError(
      `checklist ${semester.templateId} v${req.templateVersion} is not newer than the semester's v${semester.templateVersion}`,
    );
  const calendarRow = await store.getCalendar(semester.calendarId);
  if (!calendarRow) throw new NotFoundError(`semester ${semester.id} lacks its calendar ${semester.calendarId}`);
  // refused before anything is stored when the new version cannot be dated on this calendar
  planSemester({
    semesterId: semester.id,
    template: parseTemplate(`checklist ${templateRow.id} v${templateRow.version}`, templateRow.body),
    calendar: parseCalendar(`calendar ${calendarRow.id}`, calendarRow.body),
    colleges: [{ id: 'check' }],
  });
  await store.upsertSemester({
    id: semester.id,
    schoolId: semester.schoolId,
    templateId: semester.templateId,
    templateVersion: req.templateVersion,
    calendarId: semester.calendarId,
  });
  await store.appendAudit({
    eventKey: `semester.${semester.id}/replan:v${req.templateVersion}`,
    subjectType: 'semester',
    subjectId: semester.id,
    action: 'checklist-version-applied',
    actor: req.actor.userId,
    at: Date.now(),
    details: { from: semester.templateVersion, to: req.templateVersion, reason: req.reason.trim() },
  });
  const colleges = await store.listColleges(semester.schoolId);
  const out: ReplanOutcome = { semesterId: semester.id, templateVersion: req.templateVersion, colleges: [] };
  for (const c of colleges) {
    const handle = client.workflow.getHandle(collegeLadderWorkflowId(semester.id, c.id));
    try {
      const result = await handle.executeUpdate(ladderReplanUpdate, {
        args: [
          {
            actor: { userId: req.actor.userId, role: 'school_admin', collegeId: null },
            templateVersion: req.templateVersion,
            reason: req.reason.trim(),
          },
        ],
        updateId: `replan:${semester.id}:v${req.templateVersion}:${c.id}`,
      });
      out.colleges.push({ collegeId: c.id, result });
    } catch (e) {
      const cause =
        e instanceof WorkflowUpdateFailedError && e.cause instanceof Error
          ? e.cause.message
          : e instanceof Error
            ? e.message
            : String(e);
      out.colleges.push({
        collegeId: c.id,
        error: e instanceof WorkflowNotFoundError ? 'this college has no running ladder' : cause,
      });
    }
  }
  return out;
}
