/** The follow-up workflow of a warning: screening.<warningId>. */
export const screeningWorkflowId = (warningId: string) => `screening.${warningId}`;
