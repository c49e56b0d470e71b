// Sign-in, sessions and CSRF live in
// server/platform/auth/; user administration in server/features/users/. createAuth composes both as before.
import express from 'express';
import type { AppDeps } from './platform/deps';
import { createUsersApi } from './features/users/api';
import { createUsersPages } from './features/users/pages';
import { createSignIn } from './platform/auth/sign-in';

export { csrfMiddleware } from './platform/auth/csrf';
export { deleteUserSessions, parseCookies, SESSION_COOKIE } from './platform/auth/sessions';
export { sessionExpired } from './platform/auth/sign-in';
export { safeNext } from './platform/safe-next';
export { createUserAdmin, type ImportResult, type PublicUser } from './features/users/use-cases';

/** Sign-in (with its session and CSRF middleware, `before`) and user administration, as one router. */
export function createAuth(deps: AppDeps): { before: express.RequestHandler[]; router: express.Router } {
  const signIn = createSignIn(deps);
  const router = express.Router();
  router.use(signIn.router, createUsersPages(deps), createUsersApi(deps));
  return { before: signIn.before, router };
}
