/** The exports feature's routes: the downloads and the feed (api.ts), the feed's page (pages.ts). */
import express from 'express';
import type { AppDeps } from '../../platform/deps';
import { createExportsApi } from './api';
import { createExportsPages } from './pages';

export function createExportsRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  r.use(createExportsApi(deps));
  r.use(createExportsPages(deps));
  return r;
}
