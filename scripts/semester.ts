/**
 * npm run semester -- <command>
 *   create   --id ID --template FILE --calendar FILE [--task-model per-task|ladder]
 *                                                        validate and store the files, create the semester
 *                                                        (model: default TASK_MODEL, else ladder; ADR 0005)
 *   start    --id ID                                     start it (a no-op when it already runs)
 *   add-college --id ID --college COLLEGE_ID             start a college added mid-semester
 *   status   --id ID                                     tasks per college from the read model
 *   move-due --task TASK_ID --due "YYYY-MM-DD HH:mm" --reason TEXT --as USERNAME   (school admin)
 *   replan   --id ID --version N --reason TEXT --as USERNAME    apply a newer version of a running (ladder)
 *                                                        semester's checklist: tasks added, retired, moved; work done kept
 *   calendar build --year YEAR --term autumn|spring --start YYYY-MM-DD --end YYYY-MM-DD
 *            [--exam-weeks START..END,…] [--vacation-start YYYY-MM-DD] [--observe christmas,…|none]
 *            [--day-off ID=START[..END][:名称]]… [--event ID=START[..END][:名称]]…
 *            [--holiday KIND[+KIND]=START..END]… [--makeup YYYY-MM-DD,…] [--out FILE]
 *                                                        a semester calendar with the public holidays and
 *                                                        make-up working days (调休) of chinese-days (no
 *                                                        database needed); a year it lacks is a warning,
 *                                                        and --holiday/--makeup enter that year by hand
 *   checklist export --id TEMPLATE_ID [--version N] --out FILE.xlsx
 *                                                        a stored checklist version (default: the latest) as xlsx
 *   checklist import --file FILE.xlsx [--id TEMPLATE_ID] store the workbook as the template's next version
 *                                                        (never overwrites one); every problem by row and column
 *   roll-forward --from SEMESTER_ID --calendar FILE|CALENDAR_ID --id NEW_ID [--template ID[@VERSION]]
 *            [--task-model per-task|ladder] [--start] [--dry-run] [--json]
 *                                                        last year's semester planned next to the new calendar,
 *                                                        task by task (why each date moved, ! = needs a
 *                                                        decision), then creates (and with --start starts) the
 *                                                        new semester; --dry-run only prints, --json prints rows
 */
import { codecDataConverter, loadCodecKeys } from '../codec/aes-gcm';
import { appClient, loadIntegrity } from '../codec/signing';
import { parseArgs } from 'node:util';
import { Connection } from '@temporalio/client';
import { createKnex } from '../db/knex';
import { createStore, type Store } from '../db/store';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PlanError } from '../domain/planner';
import {
  createRolledSemester,
  rollForwardPreview,
  rollForwardTable,
  RollForwardError,
  storeNewCalendar,
} from '../server/features/semesters/use-cases/roll-forward';
import { ChecklistXlsxError } from '../domain/checklist-xlsx';
import { exportChecklist, importChecklist } from '../server/features/checklists/use-cases/xlsx';
import { CalendarError } from '../domain/calendar';
import { CalendarBuildError } from '../domain/calendar-builder';
import { DataFileError } from '../domain/load';
import { dbOptions, loadConfig } from '../server/platform/config/config';
import {
  createSemester,
  NotFoundError,
  registerDataFiles,
  TaskModelError,
} from '../server/features/semesters/use-cases/setup';
import { replanSemester, ReplanError } from '../server/features/semesters/use-cases/replan';
import { startCollege, startSemester } from '../server/features/semesters/use-cases/start';
import { moveDue, TaskRejectedError } from '../server/features/tasks/use-cases';
import { calendarCommand, need, UsageError } from './semester-cli';

async function run(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'calendar') return calendarCommand(rest);
  if (command === 'checklist') return checklistCommand(rest);
  const { values } = parseArgs({
    args: rest,
    options: {
      id: { type: 'string' },
      template: { type: 'string' },
      calendar: { type: 'string' },
      from: { type: 'string' },
      start: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      college: { type: 'string' },
      task: { type: 'string' },
      due: { type: 'string' },
      reason: { type: 'string' },
      as: { type: 'string' },
      'task-model': { type: 'string' },
      version: { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig();
  const db = createKnex(dbOptions(config));
  const store = createStore(db);
  let connection: Connection | undefined;
  const client = async () => {
    connection ??= await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    return appClient(
      { connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: codecDataConverter(loadCodecKeys()) },
      await loadIntegrity(db),
    );
  };
  try {
    switch (command) {
      case 'create': {
        const { template, calendar } = await registerDataFiles(store, {
          templateFile: need(values, 'template'),
          calendarFile: need(values, 'calendar'),
        });
        await createSemester(store, {
          id: need(values, 'id'),
          schoolId: config.SCHOOL_ID,
          templateId: template.id,
          templateVersion: template.version,
          calendarId: calendar.id,
          taskModel: values['task-model'],
        });
        const created = await store.getSemester(need(values, 'id'));
        console.log(
          `semester ${values.id}: created from ${template.id} v${template.version} and calendar ${calendar.id}; task model ${created?.taskModel ?? 'ladder'}`,
        );
        break;
      }
      case 'start': {
        const r = await startSemester(await client(), store, need(values, 'id'), config.TEMPORAL_TASK_QUEUE);
        console.log(`semester ${values.id}: running as workflow ${r.workflowId}`);
        break;
      }
      case 'add-college': {
        const r = await startCollege(
          await client(),
          store,
          need(values, 'id'),
          need(values, 'college'),
          config.TEMPORAL_TASK_QUEUE,
        );
        console.log(`college ${values.college}: running as workflow ${r.workflowId}`);
        break;
      }
      case 'roll-forward': {
        const calendarArg = need(values, 'calendar');
        const calendarId = existsSync(calendarArg)
          ? (await storeNewCalendar(store, calendarArg, readFileSync(calendarArg, 'utf8'))).id
          : calendarArg;
        const m = values.template ? /^([a-z0-9][a-z0-9-]*)(?:@(\d+))?$/.exec(values.template) : undefined;
        if (values.template && !m)
          throw new UsageError(`--template must be ID or ID@VERSION, got ${JSON.stringify(values.template)}`);
        const preview = await rollForwardPreview(store, {
          from: need(values, 'from'),
          calendarId,
          ...(m ? { templateId: m[1], ...(m[2] ? { templateVersion: Number(m[2]) } : {}) } : {}),
        });
        if (values.json) process.stdout.write(`${JSON.stringify(preview, null, 2)}\n`);
        else process.stdout.write(rollForwardTable(preview));
        if (values['dry-run']) break;
        const id = need(values, 'id');
        await createRolledSemester(store, config.SCHOOL_ID, preview, id, values['task-model']);
        console.error(
          `semester ${id}: created from ${preview.to.templateId} v${preview.to.templateVersion} and calendar ${preview.to.calendarId}`,
        );
        if (values.start) {
          const r = await startSemester(await client(), store, id, config.TEMPORAL_TASK_QUEUE);
          console.error(`semester ${id}: running as workflow ${r.workflowId}`);
        }
        break;
      }
      case 'status':
        await printStatus(store, need(values, 'id'));
        break;
      case 'move-due': {
        const admin = await store.findUserByUsername(need(values, 'as'));
        if (!admin || !admin.active) throw new NotFoundError(`unknown or inactive user ${values.as}`);
        const state = await moveDue(
          await client(),
          store,
          need(values, 'task'),
          { userId: admin.id, role: admin.role, collegeId: admin.collegeId },
          need(values, 'due'),
          need(values, 'reason'),
        );
        console.log(`task ${values.task}: due ${new Date(state.dueAt).toISOString()}, status ${state.status}`);
        break;
      }
      case 'replan': {
        const admin = await store.findUserByUsername(need(values, 'as'));
        if (!admin || !admin.active) throw new NotFoundError(`unknown or inactive user ${values.as}`);
        const version = Number(need(values, 'version'));
        const outcome = await replanSemester(await client(), store, {
          semesterId: need(values, 'id'),
          templateVersion: version,
          reason: need(values, 'reason'),
          actor: { userId: admin.id, role: admin.role, collegeId: admin.collegeId },
        });
        for (const c of outcome.colleges) {
          console.log(
            c.result
              ? `${c.collegeId}: added ${c.result.added.length}, retired ${c.result.retired.length}, moved ${c.result.moved.length}, kept ${c.result.kept.length}`
              : `${c.collegeId}: NOT APPLIED: ${c.error}`,
          );
        }
        if (outcome.colleges.some((c) => c.error)) process.exitCode = 1;
        break;
      }
      default:
        throw new UsageError(
          `unknown command ${JSON.stringify(command ?? '')}: use create, start, add-college, status, move-due, replan, roll-forward, checklist export|import or calendar build`,
        );
    }
  } finally {
    await connection?.close();
    await db.destroy();
  }
}

/** `checklist export` / `checklist import`: the xlsx form of a stored checklist (domain/checklist-xlsx.ts). */
async function checklistCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'export' && sub !== 'import')
    throw new UsageError(
      `unknown checklist command ${JSON.stringify(sub ?? '')}: use checklist export or checklist import`,
    );
  const { values } = parseArgs({
    args: rest,
    options: { id: { type: 'string' }, version: { type: 'string' }, out: { type: 'string' }, file: { type: 'string' } },
    strict: true,
  });
  const db = createKnex(dbOptions(loadConfig()));
  const store = createStore(db);
  try {
    if (sub === 'export') {
      const version = values.version === undefined ? undefined : Number(values.version);
      if (version !== undefined && !(Number.isInteger(version) && version >= 1))
        throw new UsageError(`--version must be a version number such as 3, got ${JSON.stringify(values.version)}`);
      const out = need(values, 'out');
      const { template, xlsx } = await exportChecklist(store, need(values, 'id'), version);
      writeFileSync(out, xlsx);
      console.log(`checklist ${template.id} v${template.version}: ${template.tasks.length} tasks → ${out}`);
    } else {
      const file = need(values, 'file');
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (e) {
        throw new UsageError(
          `--file ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
      const stored = await importChecklist(store, bytes, { id: values.id });
      console.log(`checklist ${stored.id} v${stored.version}: ${stored.tasks.length} tasks stored from ${file}`);
    }
  } finally {
    await db.destroy();
  }
}

async function printStatus(store: Store, semesterId: string): Promise<void> {
  const semester = await store.getSemester(semesterId);
  if (!semester) throw new NotFoundError(`unknown semester ${semesterId}`);
  console.log(`semester ${semesterId}: ${semester.status}`);
  const rows = await store.complianceByCollegeMonth(semesterId, Date.now());
  const byCollege = new Map<
    string,
    { name: string; planned: number; done: number; overdue: number; escalated: number }
  >();
  for (const r of rows) {
    const c = byCollege.get(r.collegeId) ?? { name: r.name, planned: 0, done: 0, overdue: 0, escalated: 0 };
    c.planned += r.planned;
    c.done += r.onTime + r.late;
    c.overdue += r.overdue;
    c.escalated += r.escalated;
    byCollege.set(r.collegeId, c);
  }
  for (const [id, c] of byCollege)
    console.log(
      `  ${id.padEnd(14)} planned ${c.planned}  completed ${c.done}  overdue ${c.overdue}  escalated ${c.escalated}  ${c.name}`,
    );
}

run().catch((err) => {
  if (err instanceof ChecklistXlsxError) {
    console.error(
      `semester: the checklist file was refused, nothing stored:\n${err.problems.map((p) => `  ${p}`).join('\n')}`,
    );
    process.exit(1);
  }
  const known =
    err instanceof UsageError ||
    err instanceof NotFoundError ||
    err instanceof RollForwardError ||
    err instanceof PlanError ||
    err instanceof TaskRejectedError ||
    err instanceof DataFileError ||
    err instanceof TaskModelError ||
    err instanceof ReplanError ||
    err instanceof CalendarBuildError ||
    err instanceof CalendarError;
  console.error(`semester: ${known ? err.message : err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
