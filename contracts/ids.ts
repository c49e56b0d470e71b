/** Deterministic workflow ids: starting the same thing twice finds the same workflow. */
export const semesterWorkflowId = (semesterId: string) => `semester.${semesterId}`;
/** The college ladder of a 'ladder' semester (workflows/college-ladder.ts). */
export const collegeLadderWorkflowId = (semesterId: string, collegeId: string) =>
  `college-ladder.${semesterId}.${collegeId}`;
export const collegeSemesterWorkflowId = (semesterId: string, collegeId: string) =>
  `college-semester.${semesterId}.${collegeId}`;
