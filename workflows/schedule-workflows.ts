/** The workflows started by Temporal Schedules (schedules/definitions.ts). */
export * from './daily-digest';
export * from './weekly-review-kickoff';
