export * from './task';
export * from './college-semester';
export * from './college-ladder';
export * from './semester';
export * from './schedule-workflows';
export * from './crisis-case';
export * from './supervision';
export * from './pairing';
export * from './screening-follow-up';
// the workflows' contracts (inputs, states, Update/Signal/Query definitions, ids): contracts/index.ts
export * from '../contracts';
