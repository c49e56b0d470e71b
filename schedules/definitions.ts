/**
 * The Temporal Schedules of one school, as data. `applySchedules` (./apply.ts) makes the server
 * match this list; change a schedule here and apply again, never by hand in the Web UI.
 * Times are wall-clock times in the school's own time zone (schools.timezone), so 08:00 stays
 * 08:00 local whatever zone the server runs in.
 */
import { ScheduleOverlapPolicy, type CalendarSpec } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { ScheduledSchoolInput } from '../activities/digest';
import { dailyDigestWorkflow } from '../workflows/daily-digest';
import { weeklyReviewKickoffWorkflow } from '../workflows/weekly-review-kickoff';

export interface ScheduleDefinition {
  scheduleId: string;
  /** for people; also stored as the calendar's comment, so the Web UI shows it */
  description: string;
  spec: { calendars: CalendarSpec[]; timezone: string };
  action: {
    type: 'startWorkflow';
    workflowType: string;
    args: [ScheduledSchoolInput];
    taskQueue: string;
    /** the server appends the fire time, so every run has its own id */
    workflowId: string;
  };
  policies: { overlap: ScheduleOverlapPolicy; catchupWindow: Duration };
}

export interface ScheduledSchool {
  schoolId: string;
  /** IANA zone of the school, e.g. Asia/Shanghai */
  timezone: string;
}

export const weeklyReviewKickoffScheduleId = (schoolId: string) => `weekly-review-kickoff.${schoolId}`;
export const dailyDigestScheduleId = (schoolId: string) => `daily-digest.${schoolId}`;
export const scheduleIds = (schoolId: string) => [
  weeklyReviewKickoffScheduleId(schoolId),
  dailyDigestScheduleId(schoolId),
];

/**
 * Missed runs (server or workers down) are made up within an hour, later ones dropped: a digest
 * at noon is still useful, yesterday's is not. A run still going when the next is due is skipped.
 */
const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' } as const;

export function scheduleDefinitions(school: ScheduledSchool, taskQueue: string): ScheduleDefinition[] {
  const { schoolId, timezone } = school;
  const weekly = '周周研判启动：每周一 08:00 通知各学院辅导员与学院领导 (weekly review kick-off)';
  const daily = '每日督办：每天 08:00 向学院领导与学校管理员发送逾期与预警任务汇总 (daily digest of overdue work)';
  return [
    {
      scheduleId: weeklyReviewKickoffScheduleId(schoolId),
      description: weekly,
      spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 8, minute: 0, comment: weekly }], timezone },
      action: {
        type: 'startWorkflow',
        workflowType: weeklyReviewKickoffWorkflow.name,
        args: [{ schoolId }],
        taskQueue,
        workflowId: weeklyReviewKickoffScheduleId(schoolId),
      },
      policies,
    },
    {
      scheduleId: dailyDigestScheduleId(schoolId),
      description: daily,
      spec: { calendars: [{ hour: 8, minute: 0, comment: daily }], timezone },
      action: {
        type: 'startWorkflow',
        workflowType: dailyDigestWorkflow.name,
        args: [{ schoolId }],
        taskQueue,
        workflowId: dailyDigestScheduleId(schoolId),
      },
      policies,
    },
  ];
}
