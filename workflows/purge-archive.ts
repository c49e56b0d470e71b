/**
 * The purge timer of one closed archive (issue 16 part 1; PIPL Art. 47): started when the student
 * leaves, it sleeps until the retention period is over and asks the activity to purge. A timer per
 * archive, not a daily sweep: the instant is known when the archive closes, nothing polls, and the
 * purge happens on its day (Temporal owns deadlines, ADR 0001). The activity reads the school's
 * retention again when the timer fires: lengthened, it answers a later instant and the timer sleeps
 * on. Its input and history hold the student's opaque id and instants only.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { PurgeArchiveActivities } from '../activities/purge-archive';
import type { PurgeArchiveInput } from '../contracts/archive';

const { purgeArchiveIfDue } = proxyActivities<PurgeArchiveActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

export async function purgeArchiveWorkflow(input: PurgeArchiveInput): Promise<{ purged: boolean }> {
  let due = input.purgeDueAt;
  // each round is a timer and one activity: a retention lengthened more than 50 times ends the run unpurged
  for (let round = 0; round < 50; round++) {
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    const r = await purgeArchiveIfDue(input.studentId);
    if (r.purged) return { purged: true };
    if (r.retryAt === null) return { purged: false }; // not closed (any more): nothing to purge
    due = r.retryAt;
  }
  return { purged: false };
}
