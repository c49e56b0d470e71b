/**
 * Student care use cases (docs/architecture.md; seed 003 §4, §8, appendices 4 and 5), the public
 * face of the care feature (routes, pages, the CLI and tests call these):
 *  - the key-care list (重点关爱库) per college, with reasons and the one-student-one-plan;
 *  - the intervention ledger (心理干预台账) with appendix 4's columns and monthly follow-ups;
 *  - pairings (结对帮扶): at most `maxStudentsPerTeacher` students per teacher unless the school
 *    admin records a reason; each active pairing runs a pairing workflow (the 15-day talk clock);
 *  - the school's care settings (the procedures' durations);
 *  - the care workspace of a college, and the ledger's export.
 * Student data is visible to the care staff of the student's college and the counselling centre
 * (school admin) only, and every read or export of it is written to the audit log.
 */
export { auditStudentReads, LEDGER_EDITORS, type CareDeps, type ListOptions } from './use-cases/common';
export { changeCareSettings, readCareSettings } from './use-cases/settings';
export { addKeyCare, listKeyCare, removeKeyCare, updateKeyCare, type KeyCareView } from './use-cases/key-care';
export {
  addFollowUp,
  addLedgerEntry,
  listLedger,
  updateLedgerEntry,
  type FollowUp,
  type LedgerView,
} from './use-cases/ledger';
export { ledgerExport, ledgerExportRows } from './use-cases/ledger-export';
export {
  assignPairing,
  endPairing,
  listPairings,
  pairingWorkflowId,
  recordPairingTalk,
  type PairingView,
} from './use-cases/pairings';
export { activeMembersOf, careWorkspace, type CareWorkspace } from './use-cases/workspace';
export { collegeOfRow } from './use-cases/rows';
