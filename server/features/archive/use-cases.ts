/**
 * The student archive 一生一档 (issue 16 part 1; seed 003 §3, §8 and appendix 3), the public face of
 * the archive feature (routes, pages and tests call these):
 *  - one archive per student, opened by the student's first care process; its process sections are
 *    read from the processes' own records (one timeline), its hand-written sections are versioned;
 *  - the monthly review, the export for a hand-over (.docx, or a printable page saved as PDF), the closing when the student leaves and
 *    the purge once the school's retention is over;
 *  - the audit log of the archives for the counselling centre.
 * Students appear in the audit log by their opaque id only.
 */
export { ARCHIVE_SUBJECT, auditArchive, type ArchiveDeps } from './use-cases/common';
export { loadArchive, readArchive, type ArchiveView, type FieldVersion } from './use-cases/read';
export { ArchiveFieldsError, editArchive, reviewArchive } from './use-cases/edit';
export { changeArchiveSettings, closeArchive, readArchiveSettings } from './use-cases/close';
export { exportArchiveDocx, printArchive, type ExportFormat } from './use-cases/export';
export { archiveSheet, timelineFacts, type ArchiveSheet, type SheetCell } from './use-cases/sheet';
export { archiveAuditLog, listArchives, type AuditFilter } from './use-cases/list';
export { purgeArchiveNow } from './use-cases/purge';
export { answerDataRequest, archiveSettingsForCentre, listDataRequests, recordDataRequest } from './use-cases/requests';
