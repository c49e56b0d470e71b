/**
 * What the archive's workflows (workflows/purge-archive.ts, workflows/data-request.ts) share with
 * the server and the activities: their inputs and ids. Students by opaque id only.
 */

/** The purge timer of one closed archive: sleeps until the retention is over, then purges. */
export interface PurgeArchiveInput {
  studentId: string;
  schoolId: string;
  /** the purge instant computed at closing (the activity reads the school's current setting again) */
  purgeDueAt: number;
}

export const purgeArchiveWorkflowId = (studentId: string): string => `archive-purge.${studentId}`;

/** What the purge activity answers: done, or the instant to sleep until (the retention was lengthened, or the archive reopened). */
export type PurgeOutcome = { purged: true } | { purged: false; retryAt: number | null };
