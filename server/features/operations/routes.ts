/** The operations feature's routes, JSON API first, then pages (the order they were registered in before). */
import express from 'express';
import type { AppDeps } from '../../platform/deps';
import { createOperationsApi } from './api';
import { createOperationsPages } from './pages';

export function createDeliveriesRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  r.use(createOperationsApi(deps));
  r.use(createOperationsPages(deps));
  return r;
}
