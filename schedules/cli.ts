/**
 * The school's Temporal Schedules from the command line (configuration: server/config.ts):
 *
 *   npx tsx schedules/cli.ts apply                      create or update SCHOOL_ID's schedules
 *   npx tsx schedules/cli.ts list                       every schedule, its times and state
 *   npx tsx schedules/cli.ts pause ID [--note TEXT]     stop firing (the note says why)
 *   npx tsx schedules/cli.ts resume ID [--note TEXT]
 *   npx tsx schedules/cli.ts trigger ID                 run it now, e.g. to resend today's digest
 */
import { codecDataConverter, loadCodecKeys } from '../codec/aes-gcm';
import { Connection, type CalendarSpecDescription } from '@temporalio/client';
import { appClient, loadIntegrity } from '../codec/signing';
import { createKnex, describeDb } from '../db/knex';
import { createStore } from '../db/store';
import { dbOptions, loadConfig, type Config } from '../server/platform/config/config';
import {
  applySchedules,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  triggerSchedule,
  type ScheduleListing,
} from './apply';
import { scheduleDefinitions, scheduleIds, type ScheduleDefinition } from './definitions';
import { formatLocal } from '../domain/local-time';

const USAGE = 'usage: schedules/cli.ts apply | list | pause ID [--note TEXT] | resume ID [--note TEXT] | trigger ID';

type Command =
  | { verb: 'apply' | 'list' }
  | { verb: 'pause' | 'resume'; id: string; note?: string }
  | { verb: 'trigger'; id: string };

function parseArgs(argv: string[]): Command {
  const args = [...argv];
  let note: string | undefined;
  const n = args.indexOf('--note');
  if (n >= 0) {
    note = args[n + 1];
    if (note === undefined) throw new Error(`--note needs a text\n${USAGE}`);
    args.splice(n, 2);
  }
  const [verb, id, ...extra] = args;
  if (extra.length > 0) throw new Error(`unexpected arguments: ${extra.join(' ')}\n${USAGE}`);
  if (verb === 'apply' || verb === 'list') {
    if (id !== undefined) throw new Error(`${verb} takes no schedule id\n${USAGE}`);
    return { verb };
  }
  if (verb === 'pause' || verb === 'resume' || verb === 'trigger') {
    if (!id) throw new Error(`${verb} needs a schedule id\n${USAGE}`);
    if (verb === 'trigger') {
      if (note !== undefined) throw new Error(`trigger takes no --note\n${USAGE}`);
      return { verb, id };
    }
    return { verb, id, note };
  }
  throw new Error(verb ? `unknown command "${verb}"\n${USAGE}` : USAGE);
}

/** The definitions for SCHOOL_ID, with the school's time zone from the database. */
async function schoolDefinitions(config: Config): Promise<ScheduleDefinition[]> {
  const db = createKnex(dbOptions(config));
  try {
    const school = await createStore(db).getSchool(config.SCHOOL_ID);
    if (!school)
      throw new Error(
        `unknown school "${config.SCHOOL_ID}" in ${describeDb(dbOptions(config))} (set SCHOOL_ID, or run npm start once to seed it)`,
      );
    return scheduleDefinitions({ schoolId: school.id, timezone: school.timezone }, config.TEMPORAL_TASK_QUEUE);
  } finally {
    await db.destroy();
  }
}

function formatCalendar(c: CalendarSpecDescription): string {
  const days =
    c.dayOfWeek.length === 1 && c.dayOfWeek[0]!.start === 'SUNDAY' && c.dayOfWeek[0]!.end === 'SATURDAY'
      ? 'daily'
      : c.dayOfWeek.map((r) => r.start).join(',');
  const pad = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return `${days} ${pad(c.hour[0]?.start)}:${pad(c.minute[0]?.start)}`;
}

function formatListing(s: ScheduleListing): string {
  const zone = s.spec.timezone ?? 'UTC';
  const times = (s.spec.calendars ?? []).map(formatCalendar).join('; ') || '(no calendar)';
  const next = s.nextActionTimes[0] ? formatLocal(s.nextActionTimes[0].getTime(), zone) : '-';
  const state = s.paused ? `paused (${s.note || 'no note'})` : 'active';
  return `${s.scheduleId}\t${s.workflowType}\t${times} ${zone}\t${state}\tnext ${next}\truns ${s.numActionsTaken}`;
}

async function run(): Promise<void> {
  const cmd = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  // the app's signing client, like the web server and the worker: what it sends carries the app's proof
  const db = createKnex(dbOptions(config));
  let integrity;
  try {
    integrity = await loadIntegrity(db);
  } finally {
    await db.destroy();
  }
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const client = appClient(
      { connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: codecDataConverter(loadCodecKeys()) },
      integrity,
    );
    switch (cmd.verb) {
      case 'apply':
        for (const r of await applySchedules(client, await schoolDefinitions(config))) {
          console.log(`${r.scheduleId}: ${r.outcome}${r.changed.length ? ` (${r.changed.join(', ')})` : ''}`);
        }
        break;
      case 'list':
        for (const s of await listSchedules(client, scheduleIds(config.SCHOOL_ID))) console.log(formatListing(s));
        break;
      case 'pause':
        await pauseSchedule(client, cmd.id, cmd.note ?? 'paused from schedules/cli.ts');
        console.log(`${cmd.id}: paused`);
        break;
      case 'resume':
        await resumeSchedule(client, cmd.id, cmd.note ?? 'resumed from schedules/cli.ts');
        console.log(`${cmd.id}: resumed`);
        break;
      case 'trigger':
        await triggerSchedule(client, cmd.id);
        console.log(`${cmd.id}: triggered`);
        break;
    }
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error('schedules:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
