/**
 * The archive's purge timer (workflows/purge-archive.ts) on the time-skipping server, with the
 * worker's own activity (server/worker.ts allActivities) over a real SQLite read model: a student
 * leaves, the archive closes and its timer starts; the school lengthens the retention meanwhile, so
 * at the first instant the activity answers "not yet" and the timer sleeps on; at the new instant
 * the student's data is purged and the purge logged (archive_purges and the audit log, opaque id).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { purgeArchiveWorkflowId } from '../contracts/archive';
import { createOutbox } from '../notifications/outbox';
import { allActivities } from '../server/worker';
import { changeArchiveSettings, closeArchive, type ArchiveDeps } from '../server/features/archive/use-cases';
import { demoDb, serverDeps, type DemoDb } from './helpers/demo-db';
import { importWarningsOf } from './helpers/records';
import { timeSkippingEnv, uniqueQueue, workflowBundle } from './helpers/temporal';
import { staffUser as user } from './helpers/actors';

const DAY = 86_400_000;
const NAME = '周若溪';
const NO = '2024880077';
const counsellor = user('literature-counsellor', 'counsellor', 'literature');
const admin = user('admin', 'school_admin', null);

let env: TestWorkflowEnvironment;
let d: DemoDb;
beforeAll(async () => {
  env = await timeSkippingEnv();
  d = await demoDb('archive-purge');
});
afterAll(async () => {
  await d?.close();
  await env?.teardown();
});

describe('the purge timer of a closed archive', () => {
  test('When the student left and the school lengthened the retention meanwhile, then the timer sleeps on past the first instant and purges at the new one, logged by opaque id', async () => {
    const queue = uniqueQueue('archive-purge');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queue,
      workflowBundle: await workflowBundle(),
      activities: allActivities({ knex: d.db, client: env.client, outbox: createOutbox({ knex: d.db, channels: {} }) }),
    });
    await worker.runUntil(async () => {
      const t0 = await env.currentTimeMs();
      const deps = (): Promise<ArchiveDeps> => serverDeps(d, env, queue);
      await importWarningsOf({ knex: d.db, store: d.store, now: t0 }, counsellor, [
        { no: NO, name: NAME, level: '橙色' },
      ]);
      const studentId = ((await d.db('students').where({ student_no: NO }).first('id')) as { id: string }).id;

      // the student left today: the archive closes and the timer starts (retention 365 days by default)
      const leftOn = DateTime.fromMillis(t0, { zone: 'Asia/Shanghai' }).toISODate()!;
      const closed = await closeArchive(await deps(), counsellor, studentId, { leftOn, reason: 'graduated' });
      expect(closed.purgeDueAt).toBe(closed.leftAt + 365 * DAY);
      const handle = env.client.workflow.getHandle(purgeArchiveWorkflowId(studentId));
      expect((await handle.describe()).status.name).toBe('RUNNING');

      // 100 days on the school keeps closed archives 400 days
      await env.sleep(100 * DAY);
      await changeArchiveSettings(await deps(), admin, { retentionDays: 400, dataRequestDays: 15 });

      // past the first instant: not purged, the timer sleeps on
      await env.sleep(closed.purgeDueAt + DAY - (await env.currentTimeMs()));
      expect(await d.db('students').where({ id: studentId }).first('id')).toEqual({ id: studentId });
      expect(await d.db('archive_purges').where({ student_id: studentId }).first()).toBeUndefined();
      expect((await handle.describe()).status.name).toBe('RUNNING');

      // past the new instant: purged, logged
      await env.sleep(closed.leftAt + 400 * DAY + DAY - (await env.currentTimeMs()));
      expect(await handle.result()).toEqual({ purged: true });
      expect(await d.db('students').where({ id: studentId }).first()).toBeUndefined();
      expect(await d.db('screening_warnings').where({ student_id: studentId }).first()).toBeUndefined();
      const log = (await d.db('archive_purges').where({ student_id: studentId }).first()) as {
        purged_by: string;
        purged_at: number;
        counts: string;
      };
      expect(log.purged_by).toBe('timer');
      expect(Number(log.purged_at)).toBeGreaterThanOrEqual(closed.leftAt + 400 * DAY);
      expect(JSON.parse(log.counts)).toMatchObject({ students: 1, screening_warnings: 1, student_archives: 1 });
      const purged = (await d.store.listAudit({ subjectType: 'archive', subjectId: studentId })).filter(
        (a) => a.action === 'purged',
      );
      expect(purged.map((a) => a.actor)).toEqual(['timer']);
      expect(JSON.stringify(purged)).not.toContain(NAME);
      // two timers: the first instant, then the lengthened one
      const history = await handle.fetchHistory();
      expect(history.events!.filter((e) => e.timerFiredEventAttributes).length).toBe(2);
    });
  }, 120_000);
});
