/**
 * npm run semester -- <command>
 *   create   --id ID --template FILE --calendar FILE [--task-model per-task|ladder]
 *                                                        validate and store the files, create the semester
 *                                                        (model: default TASK_MODEL, else ladder; ADR 0005)
 *   start    --id ID                                     start it (a no-op when it already runs)
 *   add-college --id ID --college COLLEGE_ID             start a college added mid-semester
 *   status   --id ID                                     tasks per college from the read model
 *   move-due --task TASK_ID --due "YYYY-MM-DD HH:mm" --reason TEXT --as USERNAME   (school admin)
 */
import { codecDataConverter, loadCodecKeys } from '../codec/aes-gcm';
import { appClient, loadIntegrity } from '../codec/signing';
import { parseArgs } from 'node:util';
import { Connection } from '@temporalio/client';
import { createKnex } from '../db/knex';
import { createStore, type Store } from '../db/store';
import { DataFileError } from '../domain/load';
import { dbOptions, loadConfig } from '../server/config';
import { createSemester, NotFoundError, registerDataFiles, startCollege, startSemester, TaskModelError } from '../server/semesters';
import { moveDue, TaskRejectedError } from '../server/tasks';

class UsageError extends Error {}

function need(values: Record<string, string | undefined>, key: string): string {
  const v = values[key];
  if (!v) throw new UsageError(`--${key} is required`);
  return v;
}

async function run(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: { id: { type: 'string' }, template: { type: 'string' }, calendar: { type: 'string' }, college: { type: 'string' }, task: { type: 'string' }, due: { type: 'string' }, reason: { type: 'string' }, as: { type: 'string' }, 'task-model': { type: 'string' } },
    strict: true,
  });
  const config = loadConfig();
  const db = createKnex(dbOptions(config));
  const store = createStore(db);
  let connection: Connection | undefined;
  const client = async () => {
    connection ??= await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    return appClient({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: codecDataConverter(loadCodecKeys()) }, await loadIntegrity(db));
  };
  try {
    switch (command) {
      case 'create': {
        const { template, calendar } = await registerDataFiles(store, { templateFile: need(values, 'template'), calendarFile: need(values, 'calendar') });
        await createSemester(store, { id: need(values, 'id'), schoolId: config.SCHOOL_ID, templateId: template.id, templateVersion: template.version, calendarId: calendar.id, taskModel: values['task-model'] });
        const created = await store.getSemester(need(values, 'id'));
        console.log(`semester ${values.id}: created from ${template.id} v${template.version} and calendar ${calendar.id}; task model ${created?.taskModel ?? 'ladder'}`);
        break;
      }
      case 'start': {
        const r = await startSemester(await client(), store, need(values, 'id'), config.TEMPORAL_TASK_QUEUE);
        console.log(`semester ${values.id}: running as workflow ${r.workflowId}`);
        break;
      }
      case 'add-college': {
        const r = await startCollege(await client(), store, need(values, 'id'), need(values, 'college'), config.TEMPORAL_TASK_QUEUE);
        console.log(`college ${values.college}: running as workflow ${r.workflowId}`);
        break;
      }
      case 'status':
        await printStatus(store, need(values, 'id'));
        break;
      case 'move-due': {
        const admin = await store.findUserByUsername(need(values, 'as'));
        if (!admin || !admin.active) throw new NotFoundError(`unknown or inactive user ${values.as}`);
        const state = await moveDue(await client(), store, need(values, 'task'), { userId: admin.id, role: admin.role, collegeId: admin.collegeId }, need(values, 'due'), need(values, 'reason'));
        console.log(`task ${values.task}: due ${new Date(state.dueAt).toISOString()}, status ${state.status}`);
        break;
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}: use create, start, add-college, status or move-due`);
    }
  } finally {
    await connection?.close();
    await db.destroy();
  }
}

async function printStatus(store: Store, semesterId: string): Promise<void> {
  const semester = await store.getSemester(semesterId);
  if (!semester) throw new NotFoundError(`unknown semester ${semesterId}`);
  console.log(`semester ${semesterId}: ${semester.status}`);
  const rows = await store.complianceByCollegeMonth(semesterId, Date.now());
  const byCollege = new Map<string, { name: string; planned: number; done: number; overdue: number; escalated: number }>();
  for (const r of rows) {
    const c = byCollege.get(r.collegeId) ?? { name: r.name, planned: 0, done: 0, overdue: 0, escalated: 0 };
    c.planned += r.planned;
    c.done += r.onTime + r.late;
    c.overdue += r.overdue;
    c.escalated += r.escalated;
    byCollege.set(r.collegeId, c);
  }
  for (const [id, c] of byCollege) console.log(`  ${id.padEnd(14)} planned ${c.planned}  completed ${c.done}  overdue ${c.overdue}  escalated ${c.escalated}  ${c.name}`);
}

run().catch((err) => {
  const known = err instanceof UsageError || err instanceof NotFoundError || err instanceof TaskRejectedError || err instanceof DataFileError || err instanceof TaskModelError;
  console.error(`semester: ${known ? err.message : err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
