/**
 * npm run simulate -- --calendar FILE [--template FILE] --colleges N --policy POLICY [--json] [--timeline]
 *                     [--capture-histories DIR] [--model per-task|ladder]
 * npm run simulate -- --semester ID --colleges N --policy POLICY […]
 *                     a stored semester: its template version and calendar as the database holds them
 *                     (SQLITE_FILE or DATABASE_URL), whatever year or term
 * Runs a whole semester on the time-skipping server and prints what each college would see.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createKnex } from '../db/knex';
import { createStore, type Store } from '../db/store';
import { CalendarError } from '../domain/calendar';
import { DataFileError } from '../domain/load';
import { PlanError } from '../domain/planner';
import { dbOptions, loadConfig } from '../server/platform/config/config';
import { parsePolicies, PolicyError } from '../simulation/policy';
import { differencesFromPlan, runSimulation } from '../simulation/run';

const USAGE =
  'usage: npm run simulate -- (--calendar FILE [--template FILE] | --semester ID) --colleges N --policy on-time|none|late:D|random:SEED[,…] [--json] [--timeline] [--model per-task|ladder]';
const DEFAULT_TEMPLATE = path.join(__dirname, '..', 'checklists', 'runxin-2024-autumn.json');

/**
 * The template version and calendar of a stored semester, written to files in `dir` as the store
 * holds them (a template stored in the year-bound form is read as such by the planner).
 */
export async function storedSemesterFiles(
  store: Store,
  semesterId: string,
  dir: string,
  schoolId: string,
): Promise<{ templateFile: string; calendarFile: string }> {
  const semester = await store.getSemester(semesterId);
  if (!semester) {
    const ids = (await store.listSemesters(schoolId)).map((s) => s.id);
    throw new PolicyError(
      `--semester: no stored semester "${semesterId}" (school ${schoolId} has: ${ids.join(', ') || 'none'})`,
    );
  }
  const template = await store.getTemplate(semester.templateId, semester.templateVersion);
  if (!template)
    throw new PolicyError(
      `--semester: semester ${semesterId}'s template ${semester.templateId} v${semester.templateVersion} is not stored`,
    );
  const calendar = await store.getCalendar(semester.calendarId);
  if (!calendar)
    throw new PolicyError(`--semester: semester ${semesterId}'s calendar ${semester.calendarId} is not stored`);
  const templateFile = path.join(dir, `template-${template.id}-v${template.version}.json`);
  const calendarFile = path.join(dir, `calendar-${calendar.id}.json`);
  fs.writeFileSync(templateFile, template.body);
  fs.writeFileSync(calendarFile, calendar.body);
  return { templateFile, calendarFile };
}

async function filesOfSemester(semesterId: string): Promise<{ templateFile: string; calendarFile: string }> {
  const config = loadConfig();
  const db = createKnex(dbOptions(config));
  try {
    return await storedSemesterFiles(
      createStore(db),
      semesterId,
      fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-')),
      config.SCHOOL_ID,
    );
  } finally {
    await db.destroy();
  }
}

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calendar: { type: 'string' },
      template: { type: 'string' },
      semester: { type: 'string' },
      colleges: { type: 'string' },
      policy: { type: 'string' },
      json: { type: 'boolean', default: false },
      timeline: { type: 'boolean', default: false },
      'capture-histories': { type: 'string' },
      model: { type: 'string', default: 'ladder' },
    },
    strict: true,
  });
  if (values.semester && (values.calendar || values.template))
    throw new PolicyError(
      `--semester takes its template and calendar from the database: give --semester or --calendar/--template, not both\n${USAGE}`,
    );
  if (!values.calendar && !values.semester) throw new PolicyError(`--calendar or --semester is required\n${USAGE}`);
  if (!values.policy) throw new PolicyError(`--policy is required\n${USAGE}`);
  const colleges = Number(values.colleges);
  if (!Number.isInteger(colleges) || colleges < 1 || colleges > 500)
    throw new PolicyError(`--colleges must be a whole number from 1 to 500, got ${JSON.stringify(values.colleges)}`);

  if (values.model !== 'per-task' && values.model !== 'ladder')
    throw new PolicyError(`--model must be per-task or ladder, got ${JSON.stringify(values.model)}\n${USAGE}`);
  const model = values.model;
  const policies = parsePolicies(values.policy);
  const files = values.semester
    ? await filesOfSemester(values.semester)
    : { calendarFile: values.calendar!, templateFile: values.template ?? DEFAULT_TEMPLATE };
  const result = await runSimulation({
    ...files,
    colleges,
    policies,
    captureHistoriesDir: values['capture-histories'],
    model,
  });

  if (values.timeline) {
    for (const e of result.timeline)
      console.log(`${e.local}  ${e.college}  ${e.action.padEnd(15)} ${e.taskId}  (${e.actor})`);
  }
  if (values.json) {
    console.log(
      JSON.stringify(
        { colleges: result.colleges.map((c) => ({ college: c.college, policy: c.policy, months: c.months })) },
        null,
        2,
      ),
    );
  } else {
    for (const c of result.colleges) {
      console.log(`${c.college} (${c.policy})`);
      console.log('  month    planned onTime late open L1 L2 reminders');
      for (const m of c.months) {
        console.log(
          `  ${m.month}  ${[m.planned, m.onTime, m.late, m.open, m.escalatedL1, m.escalatedL2, m.reminders].map((n) => String(n).padStart(6)).join(' ')}`,
        );
      }
    }
  }
  const cpu = process.cpuUsage();
  console.error(
    `simulate: ${colleges} college(s), model ${model}, ${result.plan.length} tasks, ${result.timeline.length} events in ${(result.wallMs / 1000).toFixed(1)} s (this process's CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')})`,
  );
  const differences = differencesFromPlan(result, policies);
  if (differences.length) {
    console.error(`simulate: counts differ from the plan:\n${differences.join('\n')}`);
    process.exitCode = 2;
  } else console.error('simulate: every count equals the plan');
}

if (require.main === module)
  run().catch((err) => {
    // a checklist that cannot be dated on the calendar (a month outside the semester, a holiday without a rule) is named, not a stack
    if (
      err instanceof PolicyError ||
      err instanceof DataFileError ||
      err instanceof PlanError ||
      err instanceof CalendarError
    )
      console.error(`simulate: ${err.message}`);
    else console.error('simulate failed:', err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  });
