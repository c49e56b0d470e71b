/**
 * weekly-review-kickoff (周周研判): started every Monday at 08:00 school time by its Schedule
 * (schedules/definitions.ts), or by hand. One activity tells each college's counsellors and
 * leader that the week's review has begun, with their open weekly-review tasks.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { DigestActivities, NoticeResult, ScheduledSchoolInput } from '../contracts/schedules';

const { sendWeeklyReviewKickoff } = proxyActivities<DigestActivities>({
  startToCloseTimeout: '1 minute',
  // a run that cannot reach the database fails after an hour instead of holding the schedule
  // (overlap SKIP would skip later runs while it lives)
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function weeklyReviewKickoffWorkflow(input: ScheduledSchoolInput): Promise<NoticeResult> {
  // "now" is when this run was started: the schedule's fire time, or the manual trigger
  return sendWeeklyReviewKickoff({ schoolId: input.schoolId, at: workflowInfo().startTime.getTime() });
}
