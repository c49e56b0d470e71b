export * from './task';
export * from './college-semester';
export * from './semester';
export * from './ids';
export * from './schedule-workflows';
export * from './crisis-case';
export * from './supervision';
export * from './pairing';
