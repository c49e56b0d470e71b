/** The checklists feature's use cases: checklists as xlsx, and the web editor's rules (every save a new version). */
export * from './use-cases/xlsx';
export * from './use-cases/edit';
export { EDITOR_HOLIDAYS, RULE_CHOICES, taskFromForm } from './use-cases/task-form';
