// shim (issue 13): re-export for the other areas until the merge
import express from 'express';
import type { AppDeps } from '../deps';
import { createCrisisApiRouter } from '../features/crisis/api';
import { createCrisisPagesRouter } from '../features/crisis/pages';

/** The crisis JSON API and pages (server/features/crisis/). */
export function createCrisisRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  r.use(createCrisisApiRouter(deps));
  r.use(createCrisisPagesRouter(deps));
  return r;
}
