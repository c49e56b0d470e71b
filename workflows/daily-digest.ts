/**
 * daily-digest (每日督办): started every day at 08:00 school time by its Schedule
 * (schedules/definitions.ts), or by hand. One activity reads the read model and writes each
 * leader's digest; it also turns the run's instant into the school's local date, so this file
 * does no calendar arithmetic.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { DigestActivities, NoticeResult, ScheduledSchoolInput } from '../activities/digest';

const { sendDailyDigest } = proxyActivities<DigestActivities>({
  startToCloseTimeout: '1 minute',
  // a run that cannot reach the database fails after an hour instead of holding the schedule
  // (overlap SKIP would skip later runs while it lives)
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function dailyDigestWorkflow(input: ScheduledSchoolInput): Promise<NoticeResult> {
  // "now" is when this run was started: the schedule's fire time, or the manual trigger
  return sendDailyDigest({ schoolId: input.schoolId, at: workflowInfo().startTime.getTime() });
}
