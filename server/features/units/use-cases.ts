/**
 * The class and dorm levels' use cases (issue 16 part 2), the public face of the units feature:
 * the roster import, the reporters' weekly reports (心理委员周报), the concerns' follow-up, the
 * committee members' training per class, and the school's settings and start of the weekly reports.
 */
export { importRoster, type RosterResult } from './use-cases/roster';
export {
  fileConcern,
  fileNothingUnusual,
  fileReport,
  myReports,
  reporterHome,
  startConcernFollowUp,
  type OwnReport,
  type ReporterHome,
  type UnitsDeps,
} from './use-cases/reports';
export { actingOf, listConcerns, respondToConcern, type ConcernView } from './use-cases/concerns';
export { classTraining, markClassTrained, type ClassTraining } from './use-cases/training';
export {
  changeUnitSettings,
  importRosterAndStartReports,
  listRoster,
  readUnitSettings,
  startUnitReports,
  type UnitListing,
} from './use-cases/admin';
