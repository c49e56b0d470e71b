/** The workflows of a case: crisis.<caseId> (the procedure) and supervision.<caseId> (the 24-hour special supervision). */
export const crisisWorkflowId = (caseId: string) => `crisis.${caseId}`;
export const supervisionWorkflowId = (caseId: string) => `supervision.${caseId}`;
