/**
 * The semesters feature's use cases (its public face for routes, the CLI, scripts and tests):
 * register data files, create and start a semester, add a college, apply a new checklist version,
 * roll a semester forward onto a new calendar. The rules live in use-cases/*.ts.
 */
export * from './use-cases/setup';
export * from './use-cases/start';
export * from './use-cases/replan';
export * from './use-cases/roll-forward-rows';
export * from './use-cases/roll-forward';
export * from './use-cases/admin';
