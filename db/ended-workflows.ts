/**
 * Workflows stopped outside the app (issue 10, finding 3): a task, crisis case (with its
 * supervision), pairing or screening follow-up whose row is still open in the read model but
 * whose workflow was terminated, cancelled, timed out or failed (the Temporal Web UI, the CLI).
 *
 * scanEndedWorkflows finds them: through Temporal visibility (a list query on ExecutionStatus)
 * where the server answers it, else by describing each open row's workflow. Tasks and cases are
 * marked in the read model (workflow_ended_at / workflow_end_status) and the stop is written to the
 * audit log once per run. It runs when the school admin opens /admin/workflows and inside the daily
 * digest (activities/digest.ts; a Temporal Schedule decides when): no polling loop decides anything.
 * Pairings and follow-ups have no mark column: each scan finds them again (the audit log keeps when
 * they were first noticed). Restarting them is the operations feature's (server/features/operations/restart.ts).
 */
import type { Client } from '@temporalio/client';
import type { EndedWorkflowRow, MarkedWorkflowKind, OpenWorkflowRow, Store, WorkflowRowKind } from './store';
import { endedEventKey } from './repositories/workflow-marks';

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

export const isMarked = (kind: WorkflowRowKind): kind is MarkedWorkflowKind => kind === 'task' || kind === 'crisis';

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
