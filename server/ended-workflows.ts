/**
 * Workflows stopped outside the app (issue 10, finding 3): a task, crisis case (with its
 * supervision), pairing or screening follow-up whose row is still open in the read model but
 * whose workflow was terminated, cancelled, timed out or failed (the Temporal Web UI, the CLI).
 *
 *  - scanEndedWorkflows finds them: through Temporal visibility (a list query on ExecutionStatus)
 *    where the server answers it, else by describing each open row's workflow. Tasks and cases
 *    are marked in the read model (workflow_ended_at / workflow_end_status) and the stop is written
 *    to the audit log once per run. It runs when the school admin opens /admin/workflows and inside
 *    the daily digest (a Temporal Schedule decides when): no polling loop decides anything.
 *  - restartStopped starts any of them again under the same workflow id. A case keeps the steps
 *    already taken (CrisisInput.resume, seeded from its timeline) and waits only for what is still
 *    open; a pairing restarts its clock from the last talk recorded; a screening follow-up keeps its
 *    interview deadline. Pairings and follow-ups have no mark column: each scan finds them again
 *    (the audit log keeps when they were first noticed).
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  type Client,
  type Workflow,
} from '@temporalio/client';
import type { Knex } from 'knex';
import { getCareSettings } from '../db/care';
import { pairingClock, screeningDurations } from '../domain/care';
import { pairingWorkflow, type PairingInput } from '../workflows/pairing';
import { screeningFollowUpWorkflow, type ScreeningInput } from '../workflows/screening-follow-up';
import type {
  AuditEvent,
  EndedWorkflowRow,
  MarkedWorkflowKind,
  OpenWorkflowRow,
  Store,
  WorkflowRowKind,
} from '../db/store';
import {
  crisisCaseWorkflow,
  type BranchAction,
  type CrisisDurations,
  type CrisisResume,
  type SupervisionState,
} from '../workflows';
import { DEFAULT_CRISIS_DURATIONS, type Situation } from '../workflows/crisis-case';
import { NotFoundError } from './semesters';
import type { Actor } from '../workflows/task';
import { endedEventKey, restartTask, TaskRejectedError } from './tasks';

/** The visibility query of runs that ended without completing. */
export const ENDED_QUERY =
  'ExecutionStatus="Terminated" OR ExecutionStatus="Canceled" OR ExecutionStatus="TimedOut" OR ExecutionStatus="Failed"';
/** describe()'s names of those statuses */
export const ENDED_STATUSES = new Set(['TERMINATED', 'CANCELLED', 'TIMED_OUT', 'FAILED']);

/** One row whose workflow was found stopped by a scan. */
export interface StoppedWorkflow {
  kind: WorkflowRowKind;
  id: string;
  collegeId: string;
  workflowId: string;
  runId: string;
  status: string;
}

export interface ScanResult {
  /** what this scan found stopped (rows already marked before are not looked at again) */
  found: StoppedWorkflow[];
  /** of those, the tasks and cases it marked now */
  marked: number;
  /** how it found them: a visibility list query, or a describe of each open row (servers without visibility) */
  via: 'visibility' | 'describe';
}

const isMarked = (kind: WorkflowRowKind): kind is MarkedWorkflowKind => kind === 'task' || kind === 'crisis';

export { endedEventKey };

/**
 * Records that a row's workflow ended outside the app: the mark in the read model (tasks and
 * cases) and the audit entry (every kind), each once. Used by the scan and by the 409 paths.
 */
export async function recordStopped(store: Store, s: Omit<StoppedWorkflow, 'collegeId'>, at: number): Promise<boolean> {
  const marked = isMarked(s.kind) ? await store.markWorkflowEnded(s.kind, s.id, { at, status: s.status }) : false;
  await store.appendAudit({
    eventKey: endedEventKey(s.workflowId, s.runId, s.kind === 'task' ? s.id : s.workflowId),
    subjectType: s.kind,
    subjectId: s.id,
    action: 'workflow-ended-externally',
    actor: 'system',
    at,
    details: { runId: s.runId, status: s.status },
  });
  return marked;
}

/** The open rows a workflow id runs (a supervision belongs to its case; a college ladder runs many tasks). */
function rowsOf(byWorkflowId: Map<string, OpenWorkflowRow[]>, workflowId: string): OpenWorkflowRow[] | undefined {
  const own = byWorkflowId.get(workflowId);
  if (own) return own;
  const sup = /^supervision\.(.+)$/.exec(workflowId);
  return sup ? byWorkflowId.get(`crisis.${sup[1]}`) : undefined;
}

/** The workflow ids (with their open rows) that visibility lists as ended (some run of them), or null when the server has no visibility. */
async function viaVisibility(
  client: Client,
  byWorkflowId: Map<string, OpenWorkflowRow[]>,
): Promise<Array<[string, OpenWorkflowRow[]]> | null> {
  const hits = new Map<string, OpenWorkflowRow[]>();
  try {
    for await (const w of client.workflow.list({ query: ENDED_QUERY })) {
      const rows = rowsOf(byWorkflowId, w.workflowId);
      if (rows?.[0]) hits.set(rows[0].workflowId, rows);
    }
  } catch {
    // e.g. the time-skipping test server: ListWorkflowExecutions is not implemented
    return null;
  }
  return [...hits.entries()];
}

/** Runs fn over items, `width` at a time. */
async function eachLimited<T>(items: T[], width: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * Finds the school's open rows whose workflow ended outside the app, marks tasks and cases, and
 * audits each stop once. The latest run of each candidate decides: a task restarted since is running.
 */
export async function scanEndedWorkflows(deps: {
  client: Client;
  store: Store;
  schoolId: string;
  now: number;
}): Promise<ScanResult> {
  const open = await deps.store.listOpenWorkflowRows(deps.schoolId);
  const byWorkflowId = new Map<string, OpenWorkflowRow[]>();
  for (const r of open) byWorkflowId.set(r.workflowId, [...(byWorkflowId.get(r.workflowId) ?? []), r]);
  const listed = open.length ? await viaVisibility(deps.client, byWorkflowId) : [];
  const candidates = listed ?? [...byWorkflowId.entries()];
  const found: StoppedWorkflow[] = [];
  let marked = 0;
  await eachLimited(candidates, 8, async ([workflowId, rows]) => {
    const d = await deps.client.workflow
      .getHandle(workflowId)
      .describe()
      .catch(() => undefined);
    const status = d?.status.name;
    if (!d || !status || !ENDED_STATUSES.has(status)) return; // running, completed, or never started (planned)
    for (const row of rows) {
      const s: StoppedWorkflow = { ...row, runId: d.runId, status };
      found.push(s);
      if (await recordStopped(deps.store, s, deps.now)) marked += 1;
    }
  });
  found.sort((a, b) => a.workflowId.localeCompare(b.workflowId) || a.id.localeCompare(b.id));
  return { found, marked, via: listed ? 'visibility' : 'describe' };
}

/** What the admin page and API list: tasks and cases marked as stopped, and pairings or follow-ups a scan found. */
export interface StoppedListing {
  marked: EndedWorkflowRow[];
  /** pairings and screening follow-ups found by this scan, with when they were first noticed (audit log) */
  found: Array<StoppedWorkflow & { noticedAt: number | null }>;
  via: ScanResult['via'] | null;
}

/** Scans (when Temporal is configured) and lists what is stopped. */
export async function listStopped(deps: {
  client?: Client;
  store: Store;
  schoolId: string;
  now: number;
}): Promise<StoppedListing> {
  const scan = deps.client
    ? await scanEndedWorkflows({ client: deps.client, store: deps.store, schoolId: deps.schoolId, now: deps.now })
    : null;
  const unmarked = (scan?.found ?? []).filter((s) => !isMarked(s.kind));
  const found = await Promise.all(
    unmarked.map(async (s) => {
      const audit = await deps.store.listAudit({ subjectType: s.kind, subjectId: s.id });
      return {
        ...s,
        noticedAt:
          audit.find(
            (a) =>
              a.action === 'workflow-ended-externally' && (a.details as { runId?: string } | null)?.runId === s.runId,
          )?.at ?? null,
      };
    }),
  );
  return { marked: await deps.store.listEndedWorkflows(deps.schoolId), found, via: scan?.via ?? null };
}

/** How many of the school's workflows are stopped outside the app (scanning first), for the daily digest. */
export async function countStopped(deps: {
  client: Client;
  store: Store;
  schoolId: string;
  now: number;
}): Promise<number> {
  const l = await listStopped(deps);
  return l.marked.length + l.found.length;
}

/**
 * The steps of a case already taken, from its timeline (the audit events its workflows wrote), so
 * a restarted run starts with them done. The supervision's state is rebuilt the same way.
 */
export function resumeFromTimeline(timeline: AuditEvent[], c: { situation: string; reportedAt: number }): CrisisResume {
  const r: CrisisResume = {};
  const details = (e: AuditEvent) =>
    e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {};
  let level: 0 | 1 | 2 = 0;
  const sup: SupervisionState = {
    guardianUserId: null,
    lastCheckInAt: c.reportedAt,
    checkIns: 0,
    missed: 0,
    schoolAlerts: 0,
    handOver: null,
  };
  for (const e of timeline) {
    switch (e.action) {
      case 'on-scene':
        r.onSceneAt = e.at;
        r.onSceneBy = e.actor;
        break;
      case 'school-notified':
        r.schoolNotifiedAt = e.at;
        break;
      case 'parents-authorised':
      case 'taken-to-hospital':
      case 'police-called':
        (r.actions ??= []).push({ action: e.action as BranchAction, at: e.at, by: e.actor });
        break;
      case 'on-scene-missed':
        level = Math.max(level, 1) as 0 | 1 | 2;
        break;
      case 'on-scene-missed-school':
      case 'school-notify-missed':
        level = 2;
        break;
      case 'guardian-assigned':
      case 'guardian-handoff':
        sup.guardianUserId = typeof details(e).to === 'string' ? (details(e).to as string) : sup.guardianUserId;
        break;
      case 'check-in':
        sup.checkIns += 1;
        sup.lastCheckInAt = Math.max(sup.lastCheckInAt, e.at);
        break;
      case 'check-in-missed':
        sup.missed += 1;
        break;
      case 'no-hand-over':
        sup.schoolAlerts += 1;
        break;
      case 'handed-over': {
        const d = details(e);
        sup.handOver = {
          receivedBy: String(d.receivedBy ?? ''),
          at: e.at,
          witnessedBy: Array.isArray(d.witnessedBy) ? d.witnessedBy.map(String) : [],
        };
        break;
      }
    }
  }
  if (level) r.escalationLevel = level;
  if (c.situation === 'self_harm_risk') r.supervision = sup;
  return r;
}

interface CaseRow {
  id: string;
  college_id: string;
  situation: string;
  status: string;
  reported_at: number | string;
  reported_by: string;
  durations: string | null;
}

type RestartDeps = { client: Client; store: Store; knex: Knex; taskQueue: string; schoolId: string };

/**
 * Starts a workflow again under its id: refused while it runs; the id-reuse policy allows a new
 * run only after one that did not complete. Clears the mark and audits the restart.
 */
async function startAgain<W extends Workflow>(
  deps: RestartDeps,
  kind: WorkflowRowKind,
  id: string,
  workflowId: string,
  workflow: W,
  args: Parameters<W>,
  actor: Actor,
  details: Record<string, unknown> = {},
): Promise<{ runId: string }> {
  const d = await deps.client.workflow
    .getHandle(workflowId)
    .describe()
    .catch(() => undefined);
  if (d?.status.name === 'RUNNING')
    throw new TaskRejectedError(`this ${KIND_WORDS[kind]}'s workflow is running; there is nothing to restart`);
  try {
    const handle = await deps.client.workflow.start(workflow, {
      workflowId,
      taskQueue: deps.taskQueue,
      args,
      // a new run only after one that did not complete (terminated, cancelled, failed, timed out)
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    } as Parameters<Client['workflow']['start']>[1]);
    if (isMarked(kind)) await deps.store.clearWorkflowEnded(kind, id);
    await deps.store.appendAudit({
      eventKey: `${workflowId}/workflow-restarted:${handle.firstExecutionRunId}`,
      subjectType: kind,
      subjectId: id,
      action: 'workflow-restarted',
      actor: actor.userId,
      at: Date.now(),
      details: { runId: handle.firstExecutionRunId, ...details },
    });
    return { runId: handle.firstExecutionRunId };
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError)
      throw new TaskRejectedError(`this ${KIND_WORDS[kind]}'s workflow completed; it is not restarted`);
    throw e;
  }
}

const KIND_WORDS: Record<WorkflowRowKind, string> = {
  task: 'task',
  crisis: 'case',
  pairing: 'pairing',
  screening: 'follow-up',
};

/** Starts a stopped crisis case again (school admin) with the steps already taken, under the same workflow id. */
export async function restartCase(deps: RestartDeps, caseId: string, actor: Actor): Promise<{ runId: string }> {
  const row = (await deps
    .knex('crisis_cases as c')
    .join('colleges as k', 'k.id', 'c.college_id')
    .where('c.id', caseId)
    .andWhere('k.school_id', deps.schoolId)
    .first('c.*')) as CaseRow | undefined;
  if (!row) throw new NotFoundError(`unknown case ${caseId}`);
  if (row.status === 'closed')
    throw new TaskRejectedError('this case is closed; only a stopped open case can be restarted');
  const reportedAt = Number(row.reported_at);
  const resume = resumeFromTimeline(await deps.store.listAudit({ subjectType: 'crisis', subjectId: caseId }), {
    situation: row.situation,
    reportedAt,
  });
  const durations = row.durations ? (JSON.parse(row.durations) as CrisisDurations) : DEFAULT_CRISIS_DURATIONS;
  const input = {
    caseId,
    collegeId: row.college_id,
    situation: row.situation as Situation,
    reportedAt,
    reportedBy: row.reported_by,
    durations,
    resume,
  };
  return startAgain(deps, 'crisis', caseId, `crisis.${caseId}`, crisisCaseWorkflow, [input], actor, {
    resumed: Object.keys(resume),
  });
}

/** Starts a stopped pairing again: its clock runs from the last talk recorded (or the pairing), with the interval it was paired with. */
export async function restartPairing(deps: RestartDeps, pairingId: string, actor: Actor): Promise<{ runId: string }> {
  const row = (await deps
    .knex('pairings as p')
    .join('colleges as k', 'k.id', 'p.college_id')
    .where('p.id', pairingId)
    .andWhere('k.school_id', deps.schoolId)
    .first('p.*')) as
    | {
        id: string;
        college_id: string;
        teacher_user_id: string | null;
        status: string;
        started_at: number | string | null;
        last_talk_at: number | string | null;
        talk_every_ms: number | string | null;
        created_at: number | string;
      }
    | undefined;
  if (!row) throw new NotFoundError(`unknown pairing ${pairingId}`);
  if (row.status !== 'active' || !row.teacher_user_id)
    throw new TaskRejectedError(`this pairing is ${row.status}; only a stopped active pairing can be restarted`);
  const clock = pairingClock(await getCareSettings(deps.knex, deps.schoolId));
  const input: PairingInput = {
    pairingId,
    collegeId: row.college_id,
    teacherUserId: row.teacher_user_id,
    lastTalkAt: Number(row.last_talk_at ?? row.started_at ?? row.created_at),
    talkEveryMs: row.talk_every_ms != null ? Number(row.talk_every_ms) : clock.talkEveryMs,
    remindBeforeMs: clock.remindBeforeMs,
    schoolAfterMs: clock.schoolAfterMs,
  };
  return startAgain(deps, 'pairing', pairingId, `pairing.${pairingId}`, pairingWorkflow, [input], actor);
}

/** Starts a stopped screening follow-up again, with its interview deadline as imported. */
export async function restartFollowUp(deps: RestartDeps, warningId: string, actor: Actor): Promise<{ runId: string }> {
  const row = (await deps
    .knex('screening_warnings as w')
    .join('screening_batches as b', 'b.id', 'w.batch_id')
    .where('w.id', warningId)
    .andWhere('b.school_id', deps.schoolId)
    .first('w.id', 'w.college_id', 'w.level', 'w.status', 'w.interview_due_at', 'b.imported_at')) as
    | {
        id: string;
        college_id: string;
        level: ScreeningInput['level'];
        status: string;
        interview_due_at: number | string;
        imported_at: number | string;
      }
    | undefined;
  if (!row) throw new NotFoundError(`unknown screening warning ${warningId}`);
  if (row.status !== 'open')
    throw new TaskRejectedError(`this follow-up is ${row.status}; only a stopped open follow-up can be restarted`);
  const durations = screeningDurations(await getCareSettings(deps.knex, deps.schoolId));
  const input: ScreeningInput = {
    warningId,
    collegeId: row.college_id,
    level: row.level,
    importedAt: Number(row.imported_at),
    dueAt: Number(row.interview_due_at),
    reminderBeforeMs: durations.reminderBeforeMs,
    schoolAfterMs: durations.schoolAfterMs,
  };
  return startAgain(deps, 'screening', warningId, `screening.${warningId}`, screeningFollowUpWorkflow, [input], actor);
}

export const RESTARTABLE = ['task', 'crisis', 'pairing', 'screening'] as const;

/** The admin's restart of a stopped task, case, pairing or screening follow-up. */
export async function restartStopped(
  deps: Omit<RestartDeps, 'client'> & { client?: Client },
  kind: string,
  id: string,
  actor: Actor,
): Promise<{ kind: WorkflowRowKind; id: string; runId: string }> {
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  const d = { ...deps, client: deps.client };
  switch (kind) {
    case 'task': {
      const task = await deps.store.getTaskInstance(id);
      const semester = task ? await deps.store.getSemester(task.semesterId) : undefined;
      if (!task || semester?.schoolId !== deps.schoolId) throw new NotFoundError(`unknown task ${id}`);
      const { runId } = await restartTask(d.client, deps.store, id, deps.taskQueue, actor);
      return { kind, id, runId };
    }
    case 'crisis':
      return { kind, id, ...(await restartCase(d, id, actor)) };
    case 'pairing':
      return { kind, id, ...(await restartPairing(d, id, actor)) };
    case 'screening':
      return { kind, id, ...(await restartFollowUp(d, id, actor)) };
  }
  throw new NotFoundError(`unknown kind ${kind}: one of ${RESTARTABLE.join(', ')}`);
}
