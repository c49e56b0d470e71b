/**
 * The purge reaches Temporal too, on the real dev server (the time-skipping test server cannot
 * delete histories): a history cannot be edited, but it can be deleted. When a student's archive is
 * purged, the histories of the student's care workflows (here a screening follow-up and a crisis
 * case, both still running) are deleted with the student's rows, and the purge log counts them.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { purgeArchiveWorkflowId } from '../contracts/archive';
import { changeArchiveSettings, closeArchive, type ArchiveDeps } from '../server/features/archive/use-cases';
import { reportCase } from '../server/features/crisis/use-cases';
import { importWarnings } from '../server/features/screening/use-cases';
import { demoDb, type DemoDb } from './helpers/demo-db';
import { devServerEnv, uniqueQueue } from './helpers/temporal';
import { testWorker, workerActivities } from './helpers/worker';
import { staffUser as staff } from './helpers/actors';

const NO = '2024880601';
const counsellor = staff('literature-counsellor', 'counsellor', 'literature');
const admin = staff('admin', 'school_admin', null);

let env: TestWorkflowEnvironment;
let d: DemoDb;
beforeAll(async () => {
  env = await devServerEnv();
  d = await demoDb('archive-purge-dev');
});
afterAll(async () => {
  await d?.close();
  await env?.teardown();
});

describe('the purge and Temporal history (dev server)', () => {
  test('When a student’s archive is purged, then the histories of the student’s care workflows are deleted too, and counted in the purge log', async () => {
    const queue = uniqueQueue('archive-purge-dev');
    const worker = await testWorker(env, queue, workerActivities(d.db, env.client));
    await worker.runUntil(async () => {
      const deps = (): ArchiveDeps => ({
        knex: d.db,
        store: d.store,
        client: env.client,
        taskQueue: queue,
        now: Date.now(),
      });
      const csv = `学号,姓名,学院,班级,预警等级\r\n${NO},令狐安然,文学院,汉语言2401,红色`;
      await importWarnings(deps(), counsellor, Buffer.from(csv), 'w.csv');
      const warning = (await d.db('screening_warnings').first('id', 'student_id')) as {
        id: string;
        student_id: string;
      };
      const { caseId } = await reportCase({ ...deps(), client: env.client }, counsellor, {
        studentNo: NO,
        studentName: '令狐安然',
        collegeId: 'literature',
        situation: 'injury',
        place: '操场',
        occurredAt: Date.now() - 60_000,
      });
      const running = [`screening.${warning.id}`, `crisis.${caseId}`];
      for (const id of running)
        expect((await env.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');

      // kept one day after leaving, left three days ago: the purge is due at once
      await changeArchiveSettings(deps(), admin, { retentionDays: 1, dataRequestDays: 15 });
      const leftOn = DateTime.now().setZone('Asia/Shanghai').minus({ days: 3 }).toISODate()!;
      await closeArchive(deps(), counsellor, warning.student_id, { leftOn, reason: 'withdrew' });
      const purge = env.client.workflow.getHandle(purgeArchiveWorkflowId(warning.student_id));
      expect(await purge.result()).toEqual({ purged: true });

      const log = (await d.db('archive_purges').where({ student_id: warning.student_id }).first('counts')) as {
        counts: string;
      };
      expect(JSON.parse(log.counts)).toMatchObject({ temporal_histories: 2, students: 1, screening_warnings: 1 });
      // the server deletes a history in the background: asked again until it is gone (50 tries at most)
      const describe = (id: string) =>
        env.client.workflow
          .getHandle(id)
          .describe()
          .then(
            () => null,
            (e: unknown) => e,
          );
      for (const id of running) {
        let gone = await describe(id);
        for (let i = 0; i < 50 && !(gone instanceof WorkflowNotFoundError); i++) {
          await new Promise((r) => setTimeout(r, 100));
          gone = await describe(id);
        }
        expect(gone, id).toBeInstanceOf(WorkflowNotFoundError);
      }
    });
  }, 120_000);
});
