/**
 * The college ladder's task Updates: completion, waiver, a moved due date and a return (退回),
 * validated exactly as workflows/task.ts validates them (domain/permissions.ts, domain/evidence.ts).
 */
import { setHandler } from '@temporalio/workflow';
import {
  ladderCompleteTaskUpdate,
  ladderMoveDueUpdate,
  ladderReturnTaskUpdate,
  ladderWaiveTaskUpdate,
} from '../../contracts/ladder';
import type { TaskState } from '../../contracts/task';
import { evidenceProblems } from '../../domain/evidence';
import { completeTaskRefusal, moveDueRefusal, returnTaskRefusal, waiveTaskRefusal } from '../../domain/permissions';
import { moveDueOf } from '../move-due';
import { ladderTaskFromReadModel } from './activities';
import { reopenedTask } from './plan';
import { refuse, reject, type LadderRun } from './run';

export function registerTaskUpdates(run: LadderRun): void {
  setHandler(
    ladderCompleteTaskUpdate,
    async (req) => {
      const t = run.byId.get(req.taskId)!;
      const now = Date.now();
      const s: TaskState = {
        ...run.stateOf(t),
        status: 'completed',
        completedAt: now,
        completedBy: req.actor.userId,
        late: now > t.dueAt,
      };
      run.close(t, 'completed');
      run.closedState.set(t.taskId, s);
      await run.record({
        taskId: t.taskId,
        ownerRole: t.ownerRole,
        // a completion after a return (退回) has its own key: the first one's is taken
        step: t.returnedAt === undefined ? 'completed' : `completed:${t.returnedAt}`,
        action: s.late ? 'completed-late' : 'completed',
        at: now,
        actor: req.actor.userId,
        notify: null,
        state: s,
        details: { note: req.note, files: req.files.map((f) => f.id), activities: req.activities ?? null },
      });
      return s;
    },
    {
      validator: (req) => {
        const t = run.openTask(req.taskId, (how) =>
          how === 'completed' ? 'this task is already completed' : 'this task was waived and is closed',
        );
        run.checkActorOfCollege(req.actor);
        refuse(completeTaskRefusal(req.actor, t.ownerRole));
        const rules = run.state.evidence[t.templateTaskId];
        if (!rules) reject(`task ${t.taskId} has no evidence rules`);
        const problems = evidenceProblems(rules, req);
        if (problems.length) reject(`evidence incomplete: ${problems.join('; ')}`);
      },
    },
  );

  setHandler(
    ladderWaiveTaskUpdate,
    async (req) => {
      const t = run.byId.get(req.taskId)!;
      const now = Date.now();
      const s: TaskState = { ...run.stateOf(t), status: 'waived', waivedReason: req.reason.trim() };
      run.close(t, 'waived');
      run.closedState.set(t.taskId, s);
      await run.record({
        taskId: t.taskId,
        ownerRole: t.ownerRole,
        step: 'waived',
        action: 'waived',
        at: now,
        actor: req.actor.userId,
        notify: null,
        state: s,
        details: { reason: s.waivedReason },
      });
      return s;
    },
    {
      validator: (req) => {
        run.openTask(req.taskId, (how) => `this task is already ${how}`);
        refuse(waiveTaskRefusal(req.actor));
        run.checkActorOfCollege(req.actor);
        if (typeof req.reason !== 'string' || !req.reason.trim()) reject('a reason is required to waive a task');
      },
    },
  );

  setHandler(
    ladderMoveDueUpdate,
    async (req) => {
      const t = run.byId.get(req.taskId)!;
      const now = Date.now();
      const { from, reopened } = moveDueOf(t, req, now);
      if (reopened) {
        t.escalationLevel = 0;
        run.indexLevel();
      }
      run.flags.version += 1;
      if (!(run.state.moved ??= []).includes(t.taskId)) run.state.moved.push(t.taskId);
      const s = run.stateOf(t);
      await run.record({
        taskId: t.taskId,
        ownerRole: t.ownerRole,
        step: `due-moved:${req.dueAt}`,
        action: 'due-moved',
        at: now,
        actor: req.actor.userId,
        notify: 'assignees',
        state: s,
        details: { from, to: req.dueAt, reason: req.reason },
      });
      return s;
    },
    {
      validator: (req) => {
        run.openTask(req.taskId, (how) => `this task is already ${how}`);
        refuse(moveDueRefusal(req.actor));
        if (run.flags.replanning) reject('a new checklist version is being applied; try again in a moment');
        if (!(req.level2At > req.dueAt) || req.remindAts.some((x: number) => x >= req.dueAt))
          reject('the new schedule is inconsistent');
        if (typeof req.reason !== 'string' || !req.reason.trim()) reject('a reason is required to move a due date');
      },
    },
  );

  setHandler(
    ladderReturnTaskUpdate,
    async (req) => {
      run.returning.add(req.taskId);
      try {
        const p = await ladderTaskFromReadModel({
          semesterId: run.input.semesterId,
          collegeId: run.input.collegeId,
          taskId: req.taskId,
        });
        if (run.state.closed[req.taskId] !== 'completed') reject('only a completed task can be returned');
        const now = Date.now();
        const t = reopenedTask(p, now);
        const s = run.stateOf(t);
        const reason = req.reason.trim();
        await run.record({
          taskId: t.taskId,
          ownerRole: t.ownerRole,
          step: `returned:${now}`,
          action: 'returned',
          at: now,
          actor: req.actor.userId,
          notify: 'assignees',
          state: s,
          details: { reason, dueAt: t.dueAt, level: t.escalationLevel },
          reopen: true,
        });
        // back in the plan: the remaining steps fire at their instants
        delete run.state.closed[t.taskId];
        run.closedState.delete(t.taskId);
        run.state.tasks.push(t);
        run.byId.set(t.taskId, t);
        run.flags.version += 1;
        run.indexLevel();
        return s;
      } finally {
        run.returning.delete(req.taskId);
      }
    },
    {
      validator: (req) => {
        if (typeof req.taskId !== 'string') reject('a task id is required');
        if (run.state.closed[req.taskId] !== 'completed' || run.returning.has(req.taskId)) {
          const how = run.returning.has(req.taskId)
            ? 'it is being returned already'
            : run.state.closed[req.taskId] === 'waived'
              ? 'this one was waived'
              : run.byId.has(req.taskId)
                ? 'this one is still open'
                : `task ${req.taskId} is not in this college's semester`;
          reject(`only a completed task can be returned; ${how}`);
        }
        refuse(returnTaskRefusal(req.actor, run.input.collegeId));
        if (typeof req.reason !== 'string' || !req.reason.trim()) reject('a reason is required to return a completion');
      },
    },
  );
}
