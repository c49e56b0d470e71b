/** The tasks feature's routes: its JSON API and its pages, sharing the task actions. */
import express from 'express';
import type { AppDeps } from '../../platform/deps';
import { taskActions } from './actions';
import { createTaskApi } from './api';
import { createTaskPages } from './pages';

export function createTaskRouter(deps: AppDeps): express.Router {
  const actions = taskActions(deps);
  const r = express.Router();
  r.use(createTaskApi(deps, actions));
  r.use(createTaskPages(deps, actions));
  return r;
}
