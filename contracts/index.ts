/**
 * contracts/: the shapes workflows, activities and server share (docs/architecture.md). Workflow
 * inputs, states and requests, Update/Signal/Query definitions, event types, workflow-id builders
 * and search-attribute keys. Libraries only: nothing here imports another layer of ours.
 */
export * from './checklist';
export * from './ids';
export * from './search-attributes';
export * from './task';
export * from './ladder';
export * from './semester';
export * from './supervision';
export * from './crisis';
export * from './pairing';
export * from './screening';
export * from './schedules';
export * from './deliveries';
