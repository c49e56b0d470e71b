/**
 * The college ladder's replan Update (a new checklist version for a running semester, issue 12
 * part 5; contracts/ladder.ts LadderReplanRequest).
 */
import { setHandler } from '@temporalio/workflow';
import { ladderReplanUpdate, type LadderReplanResult, type LadderTask } from '../../contracts/ladder';
import type { TaskState } from '../../contracts/task';
import { replanRefusal } from '../../domain/permissions';
import { planCollegeLadder } from './activities';
import { sameInstants } from './plan';
import { refuse, reject, type LadderRun } from './run';

export function registerReplan(run: LadderRun): void {
  /**
   * While a replan runs, the ladder's own loop waits (its conditions check this): the handler's
   * writes are awaited one after another, and no instant's step is taken in between, so the order
   * of the commands is the same when the history is replayed.
   */
  setHandler(
    ladderReplanUpdate,
    async (req) => {
      run.flags.replanning = true;
      try {
        const plan = await planCollegeLadder({
          semesterId: run.input.semesterId,
          collegeId: run.input.collegeId,
          fromTemplate: true,
        });
        const now = Date.now();
        const out: LadderReplanResult = {
          templateVersion: req.templateVersion,
          added: [],
          retired: [],
          moved: [],
          kept: [],
        };
        const reason = req.reason.trim();
        const v = req.templateVersion;
        /** one task's event of the replan, by the requesting actor, now */
        const record = (
          t: LadderTask,
          step: string,
          action: string,
          notify: 'assignees' | null,
          state: TaskState,
          details: Record<string, unknown>,
        ) =>
          run.record({
            taskId: t.taskId,
            ownerRole: t.ownerRole,
            step,
            action,
            at: now,
            actor: req.actor.userId,
            notify,
            state,
            details,
          });
        const inPlan = new Set(plan.tasks.map((t) => t.taskId));
        for (const k of Object.keys(plan.evidence)) run.state.evidence[k] = plan.evidence[k]!;
        for (const p of plan.tasks) {
          const t = run.byId.get(p.taskId);
          if (run.state.closed[p.taskId]) continue; // done or waived: kept as it is
          if (!t) {
            const added: LadderTask = {
              ...p,
              remindAts: [...p.remindAts],
              status: 'planned',
              escalationLevel: 0,
              remindersSent: 0,
              done: [],
            };
            run.state.tasks.push(added);
            run.byId.set(p.taskId, added);
            out.added.push(p.taskId);
            continue;
          }
          if (sameInstants(t, p)) continue;
          if (run.state.moved?.includes(t.taskId)) {
            out.kept.push(t.taskId); // the school administration's date stands
            continue;
          }
          // a task already open keeps its opening; only its deadline and ladder can move
          if (t.status !== 'planned' && sameInstants({ ...t, openAt: p.openAt }, p)) continue;
          const from = t.dueAt;
          if (t.status === 'planned') t.openAt = p.openAt;
          t.dueAt = p.dueAt;
          t.remindAts = [...p.remindAts];
          t.level2At = p.level2At;
          if (p.dueAt > now && t.status === 'overdue') {
            t.status = 'open';
            t.escalationLevel = 0;
          }
          out.moved.push(t.taskId);
          if (t.status !== 'planned') {
            const details = { from, to: t.dueAt, reason, templateVersion: v };
            await record(t, `replanned:v${v}`, 'due-moved', 'assignees', run.stateOf(t), details);
          }
        }
        for (const t of [...run.state.tasks]) {
          if (inPlan.has(t.taskId)) continue;
          const s: TaskState = { ...run.stateOf(t), status: 'waived', waivedReason: reason };
          run.close(t, 'waived');
          run.closedState.set(t.taskId, s);
          out.retired.push(t.taskId);
          const notify = t.status === 'planned' ? null : 'assignees';
          await record(t, `retired:v${v}`, 'retired', notify, s, { reason, templateVersion: v });
        }
        run.state.templateVersion = req.templateVersion;
        run.flags.version += 1;
        run.indexLevel();
        return out;
      } finally {
        run.flags.replanning = false;
      }
    },
    {
      validator: (req) => {
        refuse(replanRefusal(req.actor));
        if (!Number.isInteger(req.templateVersion) || req.templateVersion < 1)
          reject('a checklist version is required');
        if (run.state.templateVersion !== undefined && req.templateVersion <= run.state.templateVersion)
          reject(
            `checklist version ${req.templateVersion} is not newer than the one applied (${run.state.templateVersion})`,
          );
        if (typeof req.reason !== 'string' || !req.reason.trim())
          reject('a reason is required to apply a new checklist version');
        if (run.flags.replanning) reject('a new checklist version is being applied already');
      },
    },
  );
}
