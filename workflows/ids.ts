/** Deterministic workflow ids: starting the same thing twice finds the same workflow. */
export const semesterWorkflowId = (semesterId: string) => `semester.${semesterId}`;
export const collegeSemesterWorkflowId = (semesterId: string, collegeId: string) => `college-semester.${semesterId}.${collegeId}`;
