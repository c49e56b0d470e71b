/**
 * The scheduled workflows' contract (workflows/daily-digest.ts, workflows/weekly-review-kickoff.ts,
 * started by schedules/definitions.ts): their input, result, and the digest activities they call.
 * activities/digest.ts implements these activities (test/contracts.test.ts checks that its types
 * still fit these).
 */

export interface ScheduledSchoolInput {
  schoolId: string;
}

export interface NoticeRequest {
  schoolId: string;
  /** the run's instant (epoch ms): "now" for the read model, and the school's local date */
  at: number;
}

export interface NoticeResult {
  eventKey: string;
  /** YYYY-MM-DD in the school's time zone */
  localDate: string;
  /** notices due to recipients this run */
  recipients: number;
  /** of those, how many were new (0 on a re-run of the same day) */
  inserted: number;
  /** the daily digest: the school's workflows found stopped outside the app (absent without a Temporal client) */
  stoppedWorkflows?: number;
  /** the daily digest: tasks whose read-model row was still behind the clock when it was sent (the digest then says so); absent when none */
  behind?: number;
}

/** The digest activities as the scheduled workflows call them (activities/digest.ts createDigestActivities). */
export interface DigestActivities {
  digestCatchUp(req: NoticeRequest): Promise<{ behind: number }>;
  sendDailyDigest(req: NoticeRequest): Promise<NoticeResult>;
  sendWeeklyReviewKickoff(req: NoticeRequest): Promise<NoticeResult>;
}
