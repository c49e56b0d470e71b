/**
 * daily-digest (每日督办): started every day at 08:00 school time by its Schedule
 * (schedules/definitions.ts), or by hand. One activity reads the read model and writes each
 * leader's digest; it also turns the run's instant into the school's local date, so this file
 * does no calendar arithmetic.
 *
 * While the semester's workflows are still catching up (a first start on a past semester, a
 * worker that was down), the read model's counts disagree with each other. The digest then waits:
 * it checks every minute, up to CATCH_UP_CHECKS times, and sends once nothing is behind; if the
 * catch-up outlasts the wait, the digest is sent saying that its numbers are not yet complete
 * (activities/digest.ts).
 */
import { patched, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { DigestActivities, NoticeResult, ScheduledSchoolInput } from '../contracts/schedules';

const { sendDailyDigest, digestCatchUp } = proxyActivities<DigestActivities>({
  startToCloseTimeout: '1 minute',
  // a run that cannot reach the database fails after an hour instead of holding the schedule
  // (overlap SKIP would skip later runs while it lives)
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** How often, and how far apart, the digest checks that the semester has caught up before sending. */
export const CATCH_UP_CHECKS = 30;
export const CATCH_UP_EVERY = '1 minute';

export async function dailyDigestWorkflow(input: ScheduledSchoolInput): Promise<NoticeResult> {
  // "now" is when this run was started: the schedule's fire time, or the manual trigger
  const at = workflowInfo().startTime.getTime();
  if (patched('digest-waits-for-catch-up')) {
    for (let check = 1; check <= CATCH_UP_CHECKS; check++) {
      // the workflow's clock: the time-skipping test server moves it
      const { behind } = await digestCatchUp({ schoolId: input.schoolId, at: Date.now() });
      if (behind === 0 || check === CATCH_UP_CHECKS) break;
      await sleep(CATCH_UP_EVERY);
    }
  }
  return sendDailyDigest({ schoolId: input.schoolId, at });
}
