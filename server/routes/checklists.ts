// shim (issue 13): re-export for the other areas until the merge
import express from 'express';
import type { AppDeps } from '../deps';
import { createChecklistPages } from '../features/checklists/pages';
import { createRollForwardRouter } from '../features/semesters/roll-forward-pages';

export { createChecklistEditorRouter } from '../features/checklists/editor-pages';
export { taskFromForm } from '../features/checklists/use-cases';

/** The checklist pages (xlsx) and the roll forward, as server/app.ts mounts them. */
export function createChecklistRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  r.use(createChecklistPages(deps));
  r.use(createRollForwardRouter(deps));
  return r;
}
