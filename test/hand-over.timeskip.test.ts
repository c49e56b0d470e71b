/**
 * Hand-over of a departing staff member (issue 14 part 5; server/hand-over.ts) over HTTP, with the
 * real pairing and supervision workflows on the time-skipping server: the class teacher's two
 * pairings (one workflow running, one stopped outside the app), and the psychological
 * counsellor's 24-hour supervision guardian duty, go to the college's counsellor in one step, one audit event per moved item and one for the
 * hand-over, the account is deactivated and signed out, the successor may record the talks, and
 * nothing reaches the account that is gone. Bad successors are refused by name.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from './helpers/wait';
import { workerStack, type WorkerStack } from './helpers/worker';
import { createPairingActivities } from '../activities/pairing';
import { supervisionStateQuery } from '../contracts';
import { login, type Session, type WebFixture } from './helpers/web';

let stack: WorkerStack;
let env: TestWorkflowEnvironment;
let fx: WebFixture;

beforeAll(async () => {
  stack = await workerStack('hand-over', { plan: false });
  ({ env, fx } = stack);
});
afterAll(() => stack?.close());

const json = (s: Session, url: string, body: unknown) => s.json(url, body, { headers: { accept: 'application/json' } });

/**
 * Waits until the workflow has no workflow task or activity in flight, so that terminating it
 * does not race its first workflow task.
 */
async function quiet(workflowId: string): Promise<void> {
  await eventually(
    `${workflowId} idle`,
    async () => (await env.client.workflow.getHandle(workflowId).describe()).raw,
    (d) => !d.pendingWorkflowTask && !d.pendingActivities?.length,
  );
}

describe('POST /admin/users/:id/hand-over', () => {
  test('When the admin hands over a departing class teacher, then the pairings go to the successor (one audit event each and one for the step), the account is gone, and nothing reaches the account that is gone', async () => {
    const leader = await login(fx.base, 'literature-college-leader');
    const teacher = await login(fx.base, 'literature-class-teacher');
    const counsellor = await login(fx.base, 'literature-counsellor');
    const admin = await login(fx.base, 'admin');
    const TEACHER = 'literature-class-teacher';
    const SUCCESSOR = 'literature-counsellor';

    // two pairings of the departing teacher; the second one's workflow is then stopped outside the app
    const pair = async (studentNo: string, studentName: string) => {
      const res = await json(leader, '/api/colleges/literature/pairings', {
        studentNo,
        studentName,
        teacherUserId: TEACHER,
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const running1 = await pair('2024990001', '林一');
    const stopped = await pair('2024990002', '林二');
    await quiet(`pairing.${stopped}`);
    await env.client.workflow.getHandle(`pairing.${stopped}`).terminate('stopped from the Web UI');
    const teacherInboxBefore = (await fx.store.listNotifications(TEACHER)).length;

    const url = `/admin/users/${TEACHER}/hand-over`;
    // who may, and who may take over: each refused by name
    expect((await json(leader, url, { successorUserId: SUCCESSOR })).status).toBe(403);
    const refused = async (body: unknown) => {
      const res = await json(admin, url, body);
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: string }).error;
    };
    expect(await refused({})).toMatch(/^successorUserId is required/);
    expect(await refused({ successorUserId: 'nobody' })).toBe('successorUserId: unknown user nobody');
    expect(await refused({ successorUserId: TEACHER })).toBe('successorUserId: the successor must be someone else');
    expect(await refused({ successorUserId: 'science-counsellor' })).toMatch(
      /^successorUserId: .* is not of the same college \(literature\)$/,
    );
    expect(await refused({ successorUserId: 'admin' })).toMatch(/is not of the same college/);
    expect((await json(admin, '/admin/users/admin/hand-over', { successorUserId: SUCCESSOR })).status).toBe(400);
    expect((await fx.store.getUser(TEACHER))?.active).toBe(true);

    // the page offers the college's active staff
    const form = await (await admin.fetch(url)).text();
    expect(form).toContain('id="hand-over-form"');
    expect(form).toContain(`value="${SUCCESSOR}"`);
    expect(form).not.toContain('value="science-counsellor"');

    const res = await json(admin, url, { successorUserId: SUCCESSOR });
    expect(res.status).toBe(200);
    const result = (await res.json()) as {
      pairings: Array<{ id: string; movedBy: string }>;
      guardianDuties: Array<{ caseId: string; movedBy: string }>;
      tasks: { moved: number; role: string; activeHoldersLeft: number; warning: string | null };
      screeningFollowUps: { moved: number };
      deactivated: boolean;
    };
    expect(result.pairings).toEqual(
      [
        { id: running1, movedBy: 'workflow' },
        { id: stopped, movedBy: 'read-model' },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(result.guardianDuties).toEqual([]);
    expect(result.tasks).toMatchObject({ moved: 0, role: 'class_teacher', activeHoldersLeft: 0 });
    expect(result.tasks.warning).toContain('no active class_teacher is left in college literature');
    expect(result.screeningFollowUps.moved).toBe(0);
    expect(result.deactivated).toBe(true);

    // the read model, the workflows and the audit log
    for (const id of [running1, stopped]) {
      expect(await fx.knex('pairings').where({ id }).first('teacher_user_id', 'status')).toEqual({
        teacher_user_id: SUCCESSOR,
        status: 'active',
      });
      const moved = (await fx.store.listAudit({ subjectType: 'pairing', subjectId: id })).filter(
        (a) => a.action === 'teacher-changed',
      );
      expect(moved).toHaveLength(1);
      expect(moved[0]).toMatchObject({ actor: 'admin', details: { from: TEACHER, to: SUCCESSOR } });
    }
    const step = (await fx.store.listAudit({ subjectType: 'user', subjectId: TEACHER })).filter(
      (a) => a.action === 'user.handed-over',
    );
    expect(step).toHaveLength(1);
    expect(step[0]).toMatchObject({ actor: 'admin', details: { successorUserId: SUCCESSOR, deactivated: true } });
    expect((await fx.store.getUser(TEACHER))?.active).toBe(false);
    // signed out everywhere
    expect((await teacher.fetch('/api/tasks?mine=1')).status).toBe(401);
    // the successor is told, and may now record the talk the running pairing waits for
    expect(
      (await fx.store.listNotifications(SUCCESSOR)).filter(
        (n) => n.subjectId === running1 && n.kind === 'pairing_teacher-changed',
      ),
    ).toHaveLength(1);
    expect((await json(counsellor, `/api/pairings/${running1}/talks`, { note: '交接后首次谈心' })).status).toBe(200);

    // (the talk is accepted only from the paired teacher or the leader: the workflow's teacher is the successor now)
    // a step recorded for the old teacher (a reminder from a run that still names them) reaches nobody who is gone
    const pairingActivities = createPairingActivities({ store: fx.store, knex: fx.knex });
    await pairingActivities.recordPairingEvent({
      pairingId: running1,
      collegeId: 'literature',
      teacherUserId: TEACHER,
      step: 'remind:test',
      action: 'talk-reminder',
      at: Date.now(),
      actor: 'timer',
      notify: 'teacher-and-leader',
    });
    expect((await fx.store.listNotifications(TEACHER)).length).toBe(teacherInboxBefore);
    expect(
      (await fx.store.listNotifications('literature-college-leader')).some(
        (n) => n.subjectId === running1 && n.kind === 'pairing_talk-reminder',
      ),
    ).toBe(true);

    // a repeated hand-over has nothing left to move
    const again = (await (await json(admin, url, { successorUserId: SUCCESSOR })).json()) as {
      pairings: unknown[];
      guardianDuties: unknown[];
    };
    expect([again.pairings, again.guardianDuties]).toEqual([[], []]);
  }, 40_000);

  test('When the departing person is the guardian on duty of a 24-hour supervision, then the duty goes to the successor through the supervision workflow (a guardian-handoff in the case timeline)', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const admin = await login(fx.base, 'admin');
    const PSYCH = 'literature-psych-counsellor';
    const SUCCESSOR = 'literature-counsellor';
    const report = await json(counsellor, '/api/crises', {
      studentNo: '2024990003',
      studentName: '林三',
      situation: 'self_harm_risk',
      place: '宿舍',
    });
    expect(report.status).toBe(201);
    const { caseId } = (await report.json()) as { caseId: string };
    await eventually(
      'the supervision',
      () =>
        env.client.workflow
          .getHandle(`supervision.${caseId}`)
          .describe()
          .catch(() => null),
      Boolean,
    );
    expect((await json(counsellor, `/api/crises/${caseId}/guardian`, { guardianUserId: PSYCH })).status).toBe(200);

    const res = await json(admin, `/admin/users/${PSYCH}/hand-over`, { successorUserId: SUCCESSOR });
    expect(res.status).toBe(200);
    const result = (await res.json()) as {
      pairings: unknown[];
      guardianDuties: Array<{ caseId: string; movedBy: string }>;
      tasks: { activeHoldersLeft: number };
    };
    expect(result.pairings).toEqual([]);
    expect(result.guardianDuties).toEqual([{ caseId, movedBy: 'workflow' }]);
    expect(
      (await env.client.workflow.getHandle(`supervision.${caseId}`).query(supervisionStateQuery)).guardianUserId,
    ).toBe(SUCCESSOR);
    const handoff = (await fx.store.listAudit({ subjectType: 'crisis', subjectId: caseId })).filter(
      (a) => a.action === 'guardian-handoff',
    );
    expect(handoff).toHaveLength(1);
    expect(handoff[0]).toMatchObject({ actor: 'admin', details: { from: PSYCH, to: SUCCESSOR } });
    expect((await fx.store.getUser(PSYCH))?.active).toBe(false);
    // the successor, on duty now, checks in
    expect((await json(counsellor, `/api/crises/${caseId}/check-in`, { note: '情绪平稳' })).status).toBe(200);
  });
});
