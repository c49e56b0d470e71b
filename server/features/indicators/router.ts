/** The indicators feature's routes: the JSON, the exports (api.ts), the page and the figures' form (pages.ts). */
import express from 'express';
import type { AppDeps } from '../../platform/deps';
import { createIndicatorsApi } from './api';
import { createIndicatorsPages } from './pages';

export function createIndicatorsRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  r.use(createIndicatorsApi(deps));
  r.use(createIndicatorsPages(deps));
  return r;
}
