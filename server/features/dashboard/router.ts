/** The dashboard feature's routes: its JSON API and its pages. */
import express from 'express';
import type { AppDeps } from '../../platform/deps';
import { createDashboardApi } from './api';
import { createDashboardPages } from './pages';

export function createDashboardRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  r.use(createDashboardApi(deps));
  r.use(createDashboardPages(deps));
  return r;
}
