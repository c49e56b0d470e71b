/**
 * Activities of the scheduled notices (schedules/): the daily digest of overdue work for leaders
 * and the weekly review kick-off (周周研判). They read the read model only and write in-app
 * notices. Each notice is keyed by (event key, recipient) and the event key carries the school's
 * local date, so a retry or a second run on the same day adds nothing.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import {
  careOverdueCounts,
  countTasksBehind,
  insertInboxNoticesOnce,
  listOverdueTasks,
  weeklyReviewCounts,
  type CareOverdue,
  type InboxNotice,
  type OverdueTaskRow,
} from '../db/repositories/digest';
import type { College, Store, User } from '../db/store';
import { formatLocal } from '../domain/local-time';
import { countStopped } from '../db/ended-workflows';
import { t as texts } from '../server/platform/i18n';

// the scheduled workflows' input and result: contracts/schedules.ts
import type { NoticeRequest, NoticeResult } from '../contracts/schedules';

/** The notification texts of the one catalogue (written in Chinese only today). */
const NOTICES = texts('zh-CN').notifications;
export type { NoticeRequest, NoticeResult, ScheduledSchoolInput } from '../contracts/schedules';

/**
 * A task row may trail its workflow (the write follows the timer; a worker restarts); a row more
 * than this behind the clock means the workflows are still catching up: a first start on a past
 * semester (months behind), a worker that was down for hours. A shorter lag is not waited for: the
 * digest counts a task past its deadline as overdue by the clock anyway.
 */
export const CATCH_UP_GRACE_MS = 2 * 3_600_000;

/**
 * Tasks of the school's running semesters whose read-model status is behind the clock at `at`
 * (minus the grace): still 待开始 (planned) though their opening has passed, or still open though
 * their deadline has passed. While the semester's workflows catch up, the counts of a digest
 * would disagree with each other (overdue by the clock, escalated by the rows); the daily digest
 * waits for this to reach 0 (workflows/daily-digest.ts) and otherwise says so in the notice.
 * The escalation levels are not checked: a task's workflow writes its status and level in the
 * same catch-up step, so a status that is current means its level is too.
 */
export async function countBehind(knex: Knex, schoolId: string, at: number): Promise<number> {
  const limit = at - CATCH_UP_GRACE_MS;
  return countTasksBehind(knex, schoolId, limit);
}

/** How many tasks a college leader's digest names; the rest are only counted. */
const MAX_LISTED = 20;

/** `client`: the worker's; with it the daily digest also scans for workflows stopped outside the app (db/ended-workflows.ts). */
export function createDigestActivities(deps: { store: Store; knex: Knex; client?: Client }) {
  const { store, knex } = deps;

  /** The school, its colleges and active users, and the run's instant in the school's zone. */
  async function schoolAt(req: NoticeRequest) {
    const school = await store.getSchool(req.schoolId);
    if (!school)
      throw ApplicationFailure.create({
        type: 'UnknownSchoolError',
        message: `unknown school ${req.schoolId}`,
        nonRetryable: true,
      });
    const local = DateTime.fromMillis(req.at, { zone: school.timezone });
    const localDate = local.toISODate();
    if (!localDate) {
      throw ApplicationFailure.create({
        type: 'InvalidTimezoneError',
        message: `school ${school.id} has an invalid time zone ${school.timezone}`,
        nonRetryable: true,
      });
    }
    const colleges = await store.listColleges(school.id);
    const users = (await store.listUsers({ schoolId: school.id })).filter((u) => u.active);
    const usersOf = (collegeId: string | null, roles: User['role'][]) =>
      users.filter((u) => u.collegeId === collegeId && roles.includes(u.role));
    return { school, local, localDate, colleges, usersOf };
  }

  return {
    /** How many of the school's tasks are behind the clock at `req.at` (see countBehind). */
    async digestCatchUp(req: NoticeRequest): Promise<{ behind: number }> {
      await schoolAt(req); // an unknown school or a broken zone fails here, as in the digest
      return { behind: await countBehind(knex, req.schoolId, req.at) };
    },

    /**
     * Daily digest (每日督办): every college leader gets their college's overdue and escalated
     * tasks and overdue care work (interviews, pairing talks, open crisis cases: counts only),
     * every school admin the whole school's by college. Nothing overdue, no digest. When the
     * semester's workflows are still catching up (countBehind > 0 at `req.at`), every notice says
     * so in its title and first line: its numbers are not yet complete.
     */
    async sendDailyDigest(req: NoticeRequest): Promise<NoticeResult> {
      const { school, local, localDate, colleges, usersOf } = await schoolAt(req);
      const eventKey = `digest:${school.id}:${localDate}`;
      const asOf = local.toFormat('yyyy-MM-dd HH:mm');
      const tasks = await listOverdueTasks(knex, school.id, req.at);
      const behind = await countBehind(knex, school.id, req.at);
      const notices: InboxNotice[] = [];
      const send = (users: User[], title: string, body: string) => {
        const t = behind ? NOTICES.digest.behindTitle(title) : title;
        const b = behind ? `${catchUpText(behind)}\n${body}` : body;
        for (const u of users) {
          notices.push({
            eventKey,
            recipientUserId: u.id,
            kind: 'daily_digest',
            subjectType: 'school',
            subjectId: school.id,
            title: t,
            body: b,
            createdAt: req.at,
          });
        }
      };

      const byCollege = new Map<string, OverdueTaskRow[]>();
      for (const t of tasks) byCollege.set(t.collegeId, [...(byCollege.get(t.collegeId) ?? []), t]);
      // care work past its deadline (counts only: a digest never names a student)
      const care = await careOverdueCounts(knex, school.id, req.at);
      // workflows stopped outside the app (Web UI, CLI): scanned and marked now, counted for the school admins
      const stopped = deps.client
        ? await countStopped({ client: deps.client, store, schoolId: school.id, now: req.at })
        : undefined;
      const lines: string[] = [];
      let careTotal = 0;
      for (const college of colleges) {
        const own = byCollege.get(college.id) ?? [];
        const careText = careLine(care.get(college.id));
        if (!own.length && !careText) continue;
        if (careText) careTotal += 1;
        const c = counts(own, req.at);
        lines.push(NOTICES.digest.collegeLine(college.name, countText(c), careText));
        const listed = own
          .slice(0, MAX_LISTED)
          .map((t, i) =>
            NOTICES.digest.taskLine(
              i + 1,
              t.titleZh,
              formatLocal(t.dueAt, school.timezone),
              levelText(t.escalationLevel),
            ),
          );
        const rest = own.length > MAX_LISTED ? [NOTICES.digest.more(own.length - MAX_LISTED)] : [];
        const careBlock = careText ? [NOTICES.digest.careBlock(careText)] : [];
        const head = NOTICES.digest.collegeHead(college.name, asOf, countText(c));
        const body = [head, ...careBlock, ...listed, ...rest].join('\n');
        send(usersOf(college.id, ['college_leader']), NOTICES.digest.collegeTitle(countText(c), careText), body);
      }
      if (tasks.length > 0 || careTotal > 0 || (stopped ?? 0) > 0) {
        const c = counts(tasks, req.at);
        // a task of a college no longer active still counts for the school
        const inactive =
          tasks.length - colleges.reduce((n, college) => n + (byCollege.get(college.id)?.length ?? 0), 0);
        if (inactive > 0) lines.push(NOTICES.digest.inactiveLine(inactive));
        const stoppedBlock = stopped ? [NOTICES.digest.stoppedBlock(stopped)] : [];
        send(
          usersOf(null, ['school_admin']),
          NOTICES.digest.schoolTitle(countText(c), NOTICES.digest.stopped(stopped ?? 0)),
          [NOTICES.digest.schoolHead(asOf, countText(c)), ...lines, ...stoppedBlock].join('\n'),
        );
      }
      const inserted = await insertInboxNoticesOnce(knex, notices);
      return {
        eventKey,
        localDate,
        recipients: notices.length,
        inserted,
        ...(behind ? { behind } : {}),
        ...(stopped !== undefined ? { stoppedWorkflows: stopped } : {}),
      };
    },

    /**
     * Weekly review kick-off (周周研判): the counsellors and the leader of every college with
     * weekly-review tasks in a running semester, with the number still open or overdue.
     */
    async sendWeeklyReviewKickoff(req: NoticeRequest): Promise<NoticeResult> {
      const { school, localDate, colleges, usersOf } = await schoolAt(req);
      const eventKey = `weekly-kickoff:${school.id}:${localDate}`;
      const notices: InboxNotice[] = [];
      for (const c of await weeklyReviewCounts(knex, school.id, req.at)) {
        const college = colleges.find((x) => x.id === c.collegeId);
        if (!college) continue; // inactive college
        const title = NOTICES.digest.kickoffTitle(c.pending);
        const body = kickoffBody(college, localDate, c.pending, c.overdue);
        for (const u of usersOf(college.id, ['counsellor', 'college_leader'])) {
          notices.push({
            eventKey,
            recipientUserId: u.id,
            kind: 'weekly_kickoff',
            subjectType: 'college',
            subjectId: college.id,
            title,
            body,
            createdAt: req.at,
          });
        }
      }
      const inserted = await insertInboxNoticesOnce(knex, notices);
      return { eventKey, localDate, recipients: notices.length, inserted };
    },
  };
}

export type DigestActivities = ReturnType<typeof createDigestActivities>;

interface Counts {
  overdue: number;
  escalated: number;
  level2: number;
}

function counts(tasks: OverdueTaskRow[], nowMs: number): Counts {
  return {
    overdue: tasks.filter((t) => t.status === 'overdue' || t.dueAt <= nowMs).length,
    escalated: tasks.filter((t) => t.escalationLevel >= 1).length,
    level2: tasks.filter((t) => t.escalationLevel >= 2).length,
  };
}

/** The college's overdue care work in words, or '' when there is none. */
const careLine = (c: CareOverdue | undefined): string => NOTICES.digest.careLine(c);

/** The first line of a digest sent while the semester's workflows still catch up. */
export const catchUpText = NOTICES.digest.catchUp;

const countText = (c: Counts) => NOTICES.digest.count(c);
const levelText = NOTICES.digest.level;

const kickoffBody = (college: College, localDate: string, pending: number, overdue: number): string =>
  NOTICES.digest.kickoff(college.name, localDate, pending, overdue);
