/**
 * Hand-over of a departing staff member (issue 14 part 5; school admin): one audited step that
 * moves the person's duties to a successor of the same college and then deactivates the account.
 *
 * What a person holds, and how it moves:
 * - pairings (结对帮扶, pairings.teacher_user_id): the pairing workflow's `changeTeacher` Update
 *   (workflows/pairing.ts), whose activity writes the row and one audit event `teacher-changed`
 *   and tells the new teacher; a pairing whose workflow is not running (stopped outside the app)
 *   gets the row and the audit event here, so a restart (server/ended-workflows.ts) runs with the
 *   successor;
 * - 24-hour supervision guardian duty (workflow state of workflows/supervision.ts): the existing
 *   `setGuardian` Update, which records `guardian-handoff` (from, to) in the case's timeline; a
 *   supervision not running gets that audit event here (its restart reads the guardian from it);
 * - tasks are owned by role, not by person (the college's staff of the task's owner role): nothing
 *   to move; the result says how many active holders of the role remain;
 * - screening follow-ups are held by the college's roles (counsellors, psychological counsellor,
 *   leader), not by a person: nothing to move.
 * Then the account is deactivated and signed out everywhere. Every recipient list filters
 * `active` (activities/index.ts recipients, activities/ladder.ts audienceOf, pairing, crisis and
 * screening activities), so nothing reaches or escalates to the account afterwards.
 * One audit event per moved item (written by the workflows' activities) and one `user.handed-over`.
 * A repeated call (a retry after a failure half-way) moves what is left and is harmless.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { deactivateUser } from '../../../db/repositories/care';
import { listSupervisingCaseIds } from '../../../db/repositories/crisis';
import { listActivePairingIdsOf, setPairingTeacher } from '../../../db/repositories/pairing';
import { createStore, type Store, type User } from '../../../db/store';
import type { Role } from '../../../domain/schema';
import { changeTeacherUpdate } from '../../../contracts';
import { setGuardianUpdate } from '../../../contracts';
import { BadRequestError, ForbiddenError, type SessionUser } from '../../platform/auth/context';
import { deleteUserSessions } from '../../platform/auth/sessions';
import { NotFoundError } from '../../platform/errors';
import { TaskRejectedError } from '../tasks/use-cases';
import { pairingWorkflowId } from '../care/use-cases';
import { supervisionWorkflowId } from '../crisis/use-cases';

/** The college roles that may hold a pairing or a guardian duty (any active staff member of the college). */
const COLLEGE_ROLES: readonly Role[] = ['class_teacher', 'counsellor', 'psych_counsellor', 'college_leader'];

export interface HandOverDeps {
  store: Store;
  knex: Knex;
  client?: Client;
  now?: () => number;
}

/** How one duty moved: through its running workflow, or (workflow not running) in the read model only. */
export type MovedBy = 'workflow' | 'read-model';

export interface HandOverResult {
  userId: string;
  successorUserId: string;
  pairings: Array<{ id: string; movedBy: MovedBy }>;
  guardianDuties: Array<{ caseId: string; movedBy: MovedBy }>;
  screeningFollowUps: { moved: 0; why: string };
  tasks: { moved: 0; why: string; role: Role; activeHoldersLeft: number; warning: string | null };
  deactivated: boolean;
}

function isNotRunning(e: unknown): boolean {
  return (
    e instanceof WorkflowNotFoundError ||
    /workflow execution already completed|not found/i.test(e instanceof Error ? e.message : '')
  );
}

/** What a hand-over works with, once checked. */
interface HandOver {
  deps: HandOverDeps;
  client: Client;
  now: () => number;
  actor: SessionUser;
  departing: User & { collegeId: string };
  successor: User;
}

/**
 * The school admin hands over a college staff member (not themself) to an active staff member of
 * the same college who may take college duties.
 */
async function checkHandOver(deps: HandOverDeps, actor: SessionUser, userId: string, body: unknown): Promise<HandOver> {
  if (actor.role !== 'school_admin')
    throw new ForbiddenError('only the school administration may hand over a staff member');
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  const client = deps.client;
  const now = deps.now ?? Date.now;
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const departing = await deps.store.getUser(userId);
  if (!departing || departing.schoolId !== actor.schoolId) throw new NotFoundError(`unknown user ${userId}`);
  if (departing.id === actor.id) throw new BadRequestError('you cannot hand over your own account');
  if (!departing.collegeId)
    throw new BadRequestError(
      `${departing.displayName} is not staff of a college (${departing.role}): there are no college duties to hand over; deactivate the account from the user list`,
    );
  const successorUserId = b.successorUserId;
  if (typeof successorUserId !== 'string' || !successorUserId.trim())
    throw new BadRequestError(
      'successorUserId is required: the active staff member of the same college who takes over',
    );
  const successor: User | undefined = await deps.store.getUser(successorUserId);
  if (!successor || successor.schoolId !== actor.schoolId)
    throw new BadRequestError(`successorUserId: unknown user ${successorUserId.slice(0, 100)}`);
  if (successor.id === departing.id) throw new BadRequestError('successorUserId: the successor must be someone else');
  if (!successor.active) throw new BadRequestError(`successorUserId: ${successor.displayName} is deactivated`);
  if (successor.collegeId !== departing.collegeId)
    throw new BadRequestError(
      `successorUserId: ${successor.displayName} is not of the same college (${departing.collegeId})`,
    );
  if (!COLLEGE_ROLES.includes(successor.role))
    throw new BadRequestError(
      `successorUserId: ${successor.displayName} (${successor.role}) may not take college duties`,
    );
  return { deps, client, now, actor, departing: departing as User & { collegeId: string }, successor };
}

/** Pairings: the workflow's Update (its activity writes the row and the audit event). */
async function movePairings(h: HandOver): Promise<HandOverResult['pairings']> {
  const { deps, client, now, actor, departing, successor } = h;
  const reason = `hand-over: ${departing.displayName} → ${successor.displayName}`;
  const adminActor = { userId: actor.id, role: 'school_admin', collegeId: null };
  // pairings: the workflow's Update (its activity writes the row and the audit event)
  const pairings: HandOverResult['pairings'] = [];
  for (const p of (await listActivePairingIdsOf(deps.knex, departing.id)).map((id) => ({ id }))) {
    try {
      await client.workflow.getHandle(pairingWorkflowId(p.id)).executeUpdate(changeTeacherUpdate, {
        args: [{ actor: adminActor, teacherUserId: successor.id, reason }],
        updateId: `hand-over:${departing.id}:${p.id}`,
      });
      pairings.push({ id: p.id, movedBy: 'workflow' });
    } catch (e) {
      if (e instanceof WorkflowUpdateFailedError)
        throw new TaskRejectedError(`pairing ${p.id}: ${e.cause instanceof Error ? e.cause.message : e.message}`);
      if (!isNotRunning(e)) throw e;
      // stopped outside the app: the row and its timeline name the successor; a restart runs with them
      const at = now();
      await deps.knex.transaction(async (trx) => {
        await setPairingTeacher(trx, p.id, successor.id);
        await createStore(trx).appendAudit({
          eventKey: `pairing.${p.id}/teacher:hand-over:${departing.id}`,
          subjectType: 'pairing',
          subjectId: p.id,
          action: 'teacher-changed',
          actor: actor.id,
          at,
          details: { from: departing.id, to: successor.id, reason, workflow: 'not running' },
        });
      });
      pairings.push({ id: p.id, movedBy: 'read-model' });
    }
  }

  return pairings;
}

/** 24-hour supervision: the guardian on duty is workflow state, moved by the setGuardian Update. */
async function moveGuardianDuties(h: HandOver): Promise<HandOverResult['guardianDuties']> {
  const { deps, client, now, actor, departing, successor } = h;
  const adminActor = { userId: actor.id, role: 'school_admin', collegeId: null };
  // 24-hour supervision: the guardian on duty is workflow state, moved by the setGuardian Update
  const guardianDuties: HandOverResult['guardianDuties'] = [];
  const collegeId = departing.collegeId;
  const cases = (await listSupervisingCaseIds(deps.knex, collegeId)).map((id) => ({ id, college_id: collegeId }));
  for (const c of cases) {
    const events = await deps.store.listAudit({ subjectType: 'crisis', subjectId: c.id });
    const last = events.filter((e) => e.action === 'guardian-assigned' || e.action === 'guardian-handoff').at(-1);
    const to =
      last && last.details && typeof last.details === 'object'
        ? (last.details as Record<string, unknown>).to
        : undefined;
    if (to !== departing.id) continue;
    try {
      // the Update's validator asks for the case's college: the school admin acts for it here
      await client.workflow.getHandle(supervisionWorkflowId(c.id)).executeUpdate(setGuardianUpdate, {
        args: [{ actor: { ...adminActor, collegeId: c.college_id }, guardianUserId: successor.id }],
        updateId: `hand-over:${departing.id}:${c.id}`,
      });
      guardianDuties.push({ caseId: c.id, movedBy: 'workflow' });
    } catch (e) {
      if (e instanceof WorkflowUpdateFailedError)
        throw new TaskRejectedError(`case ${c.id}: ${e.cause instanceof Error ? e.cause.message : e.message}`);
      if (!isNotRunning(e)) throw e;
      // a restart of the case (server/ended-workflows.ts) reads the guardian from this event
      await deps.store.appendAudit({
        eventKey: `supervision.${c.id}/guardian:hand-over:${departing.id}`,
        subjectType: 'crisis',
        subjectId: c.id,
        action: 'guardian-handoff',
        actor: actor.id,
        at: now(),
        details: { from: departing.id, to: successor.id, workflow: 'not running' },
      });
      guardianDuties.push({ caseId: c.id, movedBy: 'read-model' });
    }
  }

  return guardianDuties;
}

export async function handOverUser(
  deps: HandOverDeps,
  actor: SessionUser,
  userId: string,
  body: unknown,
): Promise<HandOverResult> {
  const h = await checkHandOver(deps, actor, userId, body);
  const { now, departing, successor } = h;
  const pairings = await movePairings(h);
  const guardianDuties = await moveGuardianDuties(h);

  // tasks belong to the role: who of the role is left once the account is gone
  const holders = (await deps.store.listUsers({ schoolId: actor.schoolId })).filter(
    (u) => u.active && u.id !== departing.id && u.role === departing.role && u.collegeId === departing.collegeId,
  );
  const tasks: HandOverResult['tasks'] = {
    moved: 0,
    why: `tasks are owned by the role (${departing.role} of college ${departing.collegeId}), not by a person`,
    role: departing.role,
    activeHoldersLeft: holders.length,
    warning: holders.length
      ? null
      : `no active ${departing.role} is left in college ${departing.collegeId}: its tasks reach only the college leader at level 1 until one is added`,
  };
  const screeningFollowUps: HandOverResult['screeningFollowUps'] = {
    moved: 0,
    why: "screening follow-ups are held by the college's roles (counsellors, psychological counsellor, leader), not by a person",
  };

  // then the account goes: deactivated, signed out, and one audit event for the whole step
  const at = now();
  await deps.knex.transaction(async (trx) => {
    await deactivateUser(trx, departing.id);
    await deleteUserSessions(trx, departing.id);
    await createStore(trx).appendAudit({
      eventKey: `user.${departing.id}/handed-over:${at}`,
      subjectType: 'user',
      subjectId: departing.id,
      action: 'user.handed-over',
      actor: actor.id,
      at,
      details: {
        successorUserId: successor.id,
        pairings,
        guardianDuties,
        tasks,
        screeningFollowUps,
        deactivated: true,
      },
    });
  });
  return {
    userId: departing.id,
    successorUserId: successor.id,
    pairings,
    guardianDuties,
    screeningFollowUps,
    tasks,
    deactivated: true,
  };
}
