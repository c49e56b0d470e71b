/** The indicators feature's use cases (issue 16 part 3): the indicators a user may see, the school's figures, the export. */
export * from './use-cases/read';
export * from './use-cases/inputs';
export * from './use-cases/export';
