// shim (issue 13): re-export for the other areas until the merge
export { enrolInCare, getCareSettings, saveCareSettings, type Enrolment } from './repositories/care';
export { nextLedgerSeq, staleLedgerSeqs } from './repositories/ledger';
