/**
 * Authorization, route by route: every route the app registers is listed here with who may not
 * use it. A route added without a line here fails the coverage test. Signed out: 401 on the API,
 * a redirect to /login on pages. Another college's resource: 403. Admin-only work: 403 for others.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TaskInstanceRow } from '../db/store';
import { addActivePairing } from './helpers/records';
import { login, registeredRoutes, webFixture, type Session, type WebFixture } from './helpers/web';

type Who = 'litStaff' | 'sciStaff' | 'litLeader' | 'sciLeader' | 'admin';
const USERS: Record<Who, string> = {
  litStaff: 'literature-counsellor',
  sciStaff: 'science-counsellor',
  litLeader: 'literature-college-leader',
  sciLeader: 'science-college-leader',
  admin: 'admin',
};

interface Case {
  route: string; // "METHOD /template"
  path: (ids: Ids) => string;
  /** public: no sign-in needed; otherwise signed-out callers are refused */
  public?: boolean;
  /** what a signed-out caller gets, when not the usual (401 on /api, redirect to /login on pages) */
  signedOut?: number;
  /** signed-in users who get 403 */
  forbidden?: Who[];
  /** signed-in users who must get through (checked on safe GET routes only) */
  allowed?: Who[];
}

interface Ids {
  crisis: string;
  keyCare: string;
  ledger: string;
  pairing: string;
  warning: string;
  semester: string;
  task: string;
  evidence: string;
  user: string;
  notification: number;
}

const ADMIN_ONLY: Who[] = ['litStaff', 'litLeader', 'sciLeader'];
const OTHER_COLLEGE: Who[] = ['sciStaff', 'sciLeader'];
const t = (ids: Ids) => encodeURIComponent(ids.task);

const CASES: Case[] = [
  { route: 'GET /healthz', path: () => '/healthz', public: true },
  { route: 'GET /livez', path: () => '/livez', public: true },
  { route: 'GET /readyz', path: () => '/readyz', public: true },
  { route: 'GET /api/colleges', path: () => '/api/colleges', public: true },
  { route: 'GET /api/openapi.json', path: () => '/api/openapi.json', public: true },
  { route: 'GET /manifest.webmanifest', path: () => '/manifest.webmanifest', public: true },
  { route: 'GET /favicon.ico', path: () => '/favicon.ico', public: true },
  { route: 'GET /login', path: () => '/login', public: true },
  { route: 'POST /login', path: () => '/login', public: true },
  { route: 'POST /api/session', path: () => '/api/session', public: true },
  { route: 'GET /ics/:token.ics', path: () => '/ics/not-a-token.ics', public: true }, // the secret URL is the credential
  { route: 'POST /logout', path: () => '/logout' },
  { route: 'GET /api/session', path: () => '/api/session', allowed: ['litStaff'] },
  { route: 'DELETE /api/session', path: () => '/api/session', public: true }, // signing out without a session is a harmless no-op (204)
  // user administration: school admin only
  { route: 'GET /admin/users', path: () => '/admin/users', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  { route: 'POST /admin/users', path: () => '/admin/users', forbidden: ADMIN_ONLY },
  { route: 'POST /admin/users/import', path: () => '/admin/users/import', forbidden: ADMIN_ONLY },
  {
    route: 'GET /admin/users/:id/deactivate',
    path: (i) => `/admin/users/${i.user}/deactivate`,
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  {
    route: 'POST /admin/users/:id/deactivate',
    path: (i) => `/admin/users/${i.user}/deactivate`,
    forbidden: ADMIN_ONLY,
  },
  { route: 'POST /api/users/:id/deactivate', path: (i) => `/api/users/${i.user}/deactivate`, forbidden: ADMIN_ONLY },
  {
    route: 'GET /admin/users/:id/hand-over',
    path: (i) => `/admin/users/${i.user}/hand-over`,
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  { route: 'POST /admin/users/:id/hand-over', path: (i) => `/admin/users/${i.user}/hand-over`, forbidden: ADMIN_ONLY },
  {
    route: 'POST /api/admin/users/:id/hand-over',
    path: (i) => `/api/admin/users/${i.user}/hand-over`,
    forbidden: ADMIN_ONLY,
  },
  { route: 'POST /admin/users/:id/activate', path: (i) => `/admin/users/${i.user}/activate`, forbidden: ADMIN_ONLY },
  { route: 'POST /api/users/:id/activate', path: (i) => `/api/users/${i.user}/activate`, forbidden: ADMIN_ONLY },
  { route: 'POST /admin/users/:id/password', path: (i) => `/admin/users/${i.user}/password`, forbidden: ADMIN_ONLY },
  { route: 'POST /admin/users/:id', path: (i) => `/admin/users/${i.user}`, forbidden: ADMIN_ONLY },
  { route: 'GET /api/users', path: () => '/api/users', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  {
    route: 'GET /api/admin/data-problems',
    path: () => '/api/admin/data-problems',
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  {
    route: 'GET /api/admin/workflows/ended',
    path: () => '/api/admin/workflows/ended',
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  {
    route: 'POST /api/admin/workflows/:kind/:id/restart',
    path: (i) => `/api/admin/workflows/task/${t(i)}/restart`,
    forbidden: ADMIN_ONLY,
  },
  { route: 'GET /admin/workflows', path: () => '/admin/workflows', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  {
    route: 'POST /admin/workflows/:kind/:id/restart',
    path: (i) => `/admin/workflows/task/${t(i)}/restart`,
    forbidden: ADMIN_ONLY,
  },
  // failed notification deliveries (issue 15): school admin only; an unknown delivery id is 404 for the admin
  {
    route: 'GET /api/admin/deliveries/failed',
    path: () => '/api/admin/deliveries/failed',
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  {
    route: 'POST /api/admin/deliveries/resend-failed',
    path: () => '/api/admin/deliveries/resend-failed',
    forbidden: ADMIN_ONLY,
  },
  {
    route: 'POST /api/admin/deliveries/:id/resend',
    path: () => '/api/admin/deliveries/1/resend',
    forbidden: ADMIN_ONLY,
  },
  { route: 'GET /admin/deliveries', path: () => '/admin/deliveries', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  {
    route: 'POST /admin/deliveries/resend-failed',
    path: () => '/admin/deliveries/resend-failed',
    forbidden: ADMIN_ONLY,
  },
  { route: 'POST /admin/deliveries/:id/resend', path: () => '/admin/deliveries/1/resend', forbidden: ADMIN_ONLY },
  { route: 'POST /api/users', path: () => '/api/users', forbidden: ADMIN_ONLY },
  { route: 'POST /api/users/import', path: () => '/api/users/import', forbidden: ADMIN_ONLY },
  { route: 'PATCH /api/users/:id', path: (i) => `/api/users/${i.user}`, forbidden: ADMIN_ONLY },
  { route: 'POST /api/users/:id/password', path: (i) => `/api/users/${i.user}/password`, forbidden: ADMIN_ONLY },
  // leaders' view
  {
    route: 'GET /api/compliance',
    path: (i) => `/api/compliance?semester=${i.semester}`,
    forbidden: ['litStaff', 'sciStaff'],
    allowed: ['litLeader', 'admin'],
  },
  { route: 'GET /', path: () => '/', allowed: ['litLeader', 'admin'] },
  {
    route: 'GET /colleges/:collegeId',
    path: (i) => `/colleges/literature?semester=${i.semester}`,
    forbidden: OTHER_COLLEGE,
    allowed: ['litLeader', 'litStaff', 'admin'],
  },
  // tasks
  {
    route: 'GET /api/tasks',
    path: (i) => `/api/tasks?college=literature&semester=${i.semester}`,
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'admin'],
  },
  { route: 'GET /tasks/mine', path: () => '/tasks/mine', allowed: ['litStaff'] },
  {
    route: 'GET /api/tasks/:id',
    path: (i) => `/api/tasks/${t(i)}`,
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'litLeader', 'admin'],
  },
  {
    route: 'GET /tasks/:id',
    path: (i) => `/tasks/${t(i)}`,
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'litLeader', 'admin'],
  },
  { route: 'POST /api/tasks/:id/complete', path: (i) => `/api/tasks/${t(i)}/complete`, forbidden: OTHER_COLLEGE },
  { route: 'POST /tasks/:id/complete', path: (i) => `/tasks/${t(i)}/complete`, forbidden: OTHER_COLLEGE },
  { route: 'POST /api/tasks/:id/return', path: (i) => `/api/tasks/${t(i)}/return`, forbidden: OTHER_COLLEGE },
  { route: 'POST /tasks/:id/return', path: (i) => `/tasks/${t(i)}/return`, forbidden: OTHER_COLLEGE },
  { route: 'POST /api/tasks/:id/waive', path: (i) => `/api/tasks/${t(i)}/waive`, forbidden: OTHER_COLLEGE },
  { route: 'POST /tasks/:id/waive', path: (i) => `/tasks/${t(i)}/waive`, forbidden: OTHER_COLLEGE },
  {
    route: 'POST /api/tasks/:id/due',
    path: (i) => `/api/tasks/${t(i)}/due`,
    forbidden: ['litStaff', 'litLeader', 'sciStaff', 'sciLeader'],
  },
  {
    route: 'POST /tasks/:id/due',
    path: (i) => `/tasks/${t(i)}/due`,
    forbidden: ['litStaff', 'litLeader', 'sciStaff', 'sciLeader'],
  },
  {
    route: 'GET /evidence/:id',
    path: (i) => `/evidence/${i.evidence}`,
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'litLeader', 'admin'],
  },
  // inbox: one's own only (marking another's notification changes nothing: see dashboard.test.ts)
  { route: 'GET /api/inbox', path: () => '/api/inbox', allowed: ['litStaff'] },
  { route: 'POST /api/inbox/:id/read', path: (i) => `/api/inbox/${i.notification}/read` },
  { route: 'GET /inbox', path: () => '/inbox', allowed: ['litStaff'] },
  { route: 'POST /inbox/:id/read', path: (i) => `/inbox/${i.notification}/read` },
  { route: 'POST /inbox/read-all', path: () => '/inbox/read-all' },
  // the leaders' weekly report (issue 14)
  {
    route: 'GET /reports/weekly',
    path: (i) => `/reports/weekly?semester=${i.semester}`,
    forbidden: ['litStaff', 'sciStaff'],
    allowed: ['litLeader', 'admin'],
  },
  // the screening-import page: care staff (their own college's rows, checked by the import)
  { route: 'GET /screening', path: () => '/screening', allowed: ['litStaff', 'admin'] },
  { route: 'POST /screening/preview', path: () => '/screening/preview' },
  { route: 'POST /screening/confirm', path: () => '/screening/confirm' },
  // semester administration: school admin only
  { route: 'GET /api/semesters', path: () => '/api/semesters', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  { route: 'POST /api/semesters', path: () => '/api/semesters', forbidden: ADMIN_ONLY },
  {
    route: 'GET /api/semesters/:id/plan',
    path: (i) => `/api/semesters/${i.semester}/plan`,
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  { route: 'POST /api/semesters/:id/start', path: (i) => `/api/semesters/${i.semester}/start`, forbidden: ADMIN_ONLY },
  {
    route: 'POST /api/semesters/:id/replan',
    path: (i) => `/api/semesters/${i.semester}/replan`,
    forbidden: ADMIN_ONLY,
  },
  {
    route: 'POST /api/semesters/:id/colleges/:collegeId/start',
    path: (i) => `/api/semesters/${i.semester}/colleges/literature/start`,
    forbidden: ADMIN_ONLY,
  },
  { route: 'GET /admin/semesters', path: () => '/admin/semesters', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  { route: 'POST /admin/semesters', path: () => '/admin/semesters', forbidden: ADMIN_ONLY },
  {
    route: 'GET /admin/semesters/:id',
    path: (i) => `/admin/semesters/${i.semester}`,
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  {
    route: 'POST /admin/semesters/:id/start',
    path: (i) => `/admin/semesters/${i.semester}/start`,
    forbidden: ADMIN_ONLY,
  },
  // checklists (xlsx, the editor) and the roll forward: school admin only
  { route: 'GET /admin/checklists', path: () => '/admin/checklists', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  {
    route: 'GET /admin/checklists/:id/:file',
    path: () => '/admin/checklists/runxin-2024-autumn/v1.xlsx',
    forbidden: ADMIN_ONLY,
  },
  { route: 'POST /admin/checklists/import', path: () => '/admin/checklists/import', forbidden: ADMIN_ONLY },
  {
    route: 'GET /admin/checklists/:id/edit',
    path: () => '/admin/checklists/runxin-2024-autumn/edit',
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  {
    route: 'GET /admin/checklists/:id/tasks/:taskId/edit',
    path: () => '/admin/checklists/runxin-2024-autumn/tasks/new/edit',
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  {
    route: 'POST /admin/checklists/:id/tasks/:taskId/edit',
    path: () => '/admin/checklists/runxin-2024-autumn/tasks/new/edit',
    forbidden: ADMIN_ONLY,
  },
  {
    route: 'POST /admin/checklists/:id/tasks/:taskId/:what',
    path: () => '/admin/checklists/runxin-2024-autumn/tasks/2024-09-02-dorm-visits/up',
    forbidden: ADMIN_ONLY,
  },
  {
    route: 'GET /admin/checklists/:id/months/:month/edit',
    path: () => '/admin/checklists/runxin-2024-autumn/months/new/edit',
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  {
    route: 'POST /admin/checklists/:id/months/:month/edit',
    path: () => '/admin/checklists/runxin-2024-autumn/months/new/edit',
    forbidden: ADMIN_ONLY,
  },
  {
    route: 'POST /admin/checklists/:id/copy',
    path: () => '/admin/checklists/runxin-2024-autumn/copy',
    forbidden: ADMIN_ONLY,
  },
  {
    route: 'GET /api/roll-forward',
    path: (i) => `/api/roll-forward?from=${i.semester}&calendar=2024-autumn`,
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  { route: 'GET /admin/roll-forward', path: () => '/admin/roll-forward', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  { route: 'POST /admin/roll-forward', path: () => '/admin/roll-forward', forbidden: ADMIN_ONLY },
  {
    route: 'GET /admin/roll-forward/preview',
    path: (i) => `/admin/roll-forward/preview?from=${i.semester}&calendar=2024-autumn`,
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  { route: 'POST /admin/roll-forward/create', path: () => '/admin/roll-forward/create', forbidden: ADMIN_ONLY },
  // exports
  {
    route: 'GET /exports/compliance.csv',
    path: (i) => `/exports/compliance.csv?semester=${i.semester}`,
    forbidden: ['litStaff', 'sciStaff'],
    allowed: ['litLeader', 'admin'],
  },
  {
    route: 'GET /exports/compliance.xlsx',
    path: (i) => `/exports/compliance.xlsx?semester=${i.semester}`,
    forbidden: ['litStaff', 'sciStaff'],
    allowed: ['litLeader', 'admin'],
  },
  {
    route: 'GET /exports/tasks.csv',
    path: (i) => `/exports/tasks.csv?semester=${i.semester}&college=literature`,
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'admin'],
  },
  {
    route: 'GET /exports/tasks.xlsx',
    path: (i) => `/exports/tasks.xlsx?semester=${i.semester}&college=literature`,
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'admin'],
  },
  // the Temporal Web UI's payload codec: the counselling centre (school admin) only, every decode audited
  {
    route: 'POST /codec/encode',
    path: () => '/codec/encode',
    signedOut: 401,
    forbidden: ['litStaff', 'litLeader', 'sciLeader'],
  },
  {
    route: 'POST /codec/decode',
    path: () => '/codec/decode',
    signedOut: 401,
    forbidden: ['litStaff', 'litLeader', 'sciLeader'],
  },
  // crisis cases: the care staff of the student's college and the counselling centre
  { route: 'POST /api/crises', path: () => '/api/crises' },
  {
    route: 'GET /api/crises/:id',
    path: (i) => `/api/crises/${i.crisis}`,
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'litLeader', 'admin'],
  },
  { route: 'POST /api/crises/:id/:step', path: (i) => `/api/crises/${i.crisis}/on-scene`, forbidden: OTHER_COLLEGE },
  {
    route: 'GET /crises/:id',
    path: (i) => `/crises/${i.crisis}`,
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'admin'],
  },
  // screening warnings: care staff, their own college (the school admin: all)
  { route: 'POST /api/screening/imports', path: () => '/api/screening/imports' },
  { route: 'GET /api/screening/warnings', path: () => '/api/screening/warnings', allowed: ['litStaff', 'admin'] },
  {
    route: 'POST /api/screening/warnings/:id/interview',
    path: (i) => `/api/screening/warnings/${i.warning}/interview`,
    forbidden: ['sciStaff', 'sciLeader', 'admin'],
  },
  // care settings: the school admin (counselling centre)
  { route: 'GET /api/care/settings', path: () => '/api/care/settings', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  { route: 'PUT /api/care/settings', path: () => '/api/care/settings', forbidden: ADMIN_ONLY },
  // key-care list, ledger and pairings: the college's care staff and the counselling centre
  {
    route: 'GET /api/colleges/:collegeId/key-care',
    path: () => '/api/colleges/literature/key-care',
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'litLeader', 'admin'],
  },
  {
    route: 'POST /api/colleges/:collegeId/key-care',
    path: () => '/api/colleges/literature/key-care',
    forbidden: OTHER_COLLEGE,
  },
  { route: 'PATCH /api/key-care/:id', path: (i) => `/api/key-care/${i.keyCare}`, forbidden: OTHER_COLLEGE },
  {
    route: 'POST /api/key-care/:id/remove',
    path: (i) => `/api/key-care/${i.keyCare}/remove`,
    forbidden: [...OTHER_COLLEGE, 'litStaff'],
  },
  {
    route: 'GET /api/colleges/:collegeId/ledger',
    path: () => '/api/colleges/literature/ledger',
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'litLeader', 'admin'],
  },
  {
    route: 'POST /api/colleges/:collegeId/ledger',
    path: () => '/api/colleges/literature/ledger',
    forbidden: OTHER_COLLEGE,
  },
  { route: 'PATCH /api/ledger/:id', path: (i) => `/api/ledger/${i.ledger}`, forbidden: OTHER_COLLEGE },
  {
    route: 'POST /api/ledger/:id/follow-ups',
    path: (i) => `/api/ledger/${i.ledger}/follow-ups`,
    forbidden: OTHER_COLLEGE,
  },
  {
    route: 'GET /exports/ledger.xlsx',
    path: () => '/exports/ledger.xlsx?college=literature',
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'admin'],
  },
  {
    route: 'GET /exports/ledger.csv',
    path: () => '/exports/ledger.csv?college=literature',
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'admin'],
  },
  {
    route: 'GET /api/colleges/:collegeId/pairings',
    path: () => '/api/colleges/literature/pairings',
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'litLeader', 'admin'],
  },
  {
    route: 'POST /api/colleges/:collegeId/pairings',
    path: () => '/api/colleges/literature/pairings',
    forbidden: [...OTHER_COLLEGE, 'litStaff'],
  },
  { route: 'POST /api/pairings/:id/talks', path: (i) => `/api/pairings/${i.pairing}/talks`, forbidden: OTHER_COLLEGE },
  { route: 'POST /api/pairings/:id/end', path: (i) => `/api/pairings/${i.pairing}/end`, forbidden: OTHER_COLLEGE },
  // care pages: the college's care staff and the counselling centre (forms redirect back; 403 stays 403)
  {
    route: 'GET /care',
    path: () => '/care?college=literature',
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'litLeader', 'admin'],
  },
  { route: 'POST /care/key-care', path: () => '/care/key-care?college=literature', forbidden: OTHER_COLLEGE },
  { route: 'POST /care/key-care/:id', path: (i) => `/care/key-care/${i.keyCare}`, forbidden: OTHER_COLLEGE },
  {
    route: 'POST /care/key-care/:id/remove',
    path: (i) => `/care/key-care/${i.keyCare}/remove`,
    forbidden: [...OTHER_COLLEGE, 'litStaff'],
  },
  { route: 'POST /care/ledger', path: () => '/care/ledger?college=literature', forbidden: OTHER_COLLEGE },
  {
    route: 'POST /care/ledger/:id/follow-ups',
    path: (i) => `/care/ledger/${i.ledger}/follow-ups`,
    forbidden: OTHER_COLLEGE,
  },
  {
    route: 'POST /care/pairings',
    path: () => '/care/pairings?college=literature',
    forbidden: [...OTHER_COLLEGE, 'litStaff'],
  },
  {
    route: 'POST /care/pairings/:id/talks',
    path: (i) => `/care/pairings/${i.pairing}/talks`,
    forbidden: OTHER_COLLEGE,
  },
  { route: 'POST /care/pairings/:id/end', path: (i) => `/care/pairings/${i.pairing}/end`, forbidden: OTHER_COLLEGE },
  {
    route: 'GET /screening/warnings/:id',
    path: (i) => `/screening/warnings/${i.warning}`,
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'litLeader', 'admin'],
  },
  {
    route: 'POST /screening/warnings/:id/interview',
    path: (i) => `/screening/warnings/${i.warning}/interview`,
    forbidden: [...OTHER_COLLEGE, 'admin'],
  },
  { route: 'GET /crises/new', path: () => '/crises/new', allowed: ['litStaff', 'admin'] },
  { route: 'POST /crises', path: () => '/crises' },
  { route: 'POST /crises/:id/:step', path: (i) => `/crises/${i.crisis}/on-scene`, forbidden: OTHER_COLLEGE },
  { route: 'GET /admin/care-settings', path: () => '/admin/care-settings', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  { route: 'POST /admin/care-settings', path: () => '/admin/care-settings', forbidden: ADMIN_ONLY },
  // the school's indicators (issue 16 part 3): leaders see them (a college leader their own row), the admin enters the figures
  {
    route: 'GET /indicators',
    path: () => '/indicators',
    forbidden: ['litStaff', 'sciStaff'],
    allowed: ['litLeader', 'admin'],
  },
  {
    route: 'GET /api/indicators',
    path: () => '/api/indicators',
    forbidden: ['litStaff', 'sciStaff'],
    allowed: ['sciLeader', 'admin'],
  },
  {
    route: 'GET /exports/indicators.csv',
    path: () => '/exports/indicators.csv',
    forbidden: ['litStaff'],
    allowed: ['litLeader', 'admin'],
  },
  {
    route: 'GET /exports/indicators.xlsx',
    path: () => '/exports/indicators.xlsx',
    forbidden: ['sciStaff'],
    allowed: ['admin'],
  },
  { route: 'GET /indicators/inputs', path: () => '/indicators/inputs', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  { route: 'POST /indicators/inputs', path: () => '/indicators/inputs', forbidden: ADMIN_ONLY },
  {
    route: 'GET /api/indicators/inputs',
    path: () => '/api/indicators/inputs',
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  { route: 'POST /api/indicators/inputs', path: () => '/api/indicators/inputs', forbidden: ADMIN_ONLY },
  // the personal calendar feed
  { route: 'POST /me/calendar-feed', path: () => '/me/calendar-feed' },
  { route: 'POST /me/calendar-feed/revoke', path: () => '/me/calendar-feed/revoke' },
  { route: 'GET /me/calendar-feed', path: () => '/me/calendar-feed', allowed: ['litStaff'] },
  // the student archive 一生一档: the college's care staff and the counselling centre; its audit log and settings: the centre
  { route: 'GET /api/archives', path: () => '/api/archives', allowed: ['litStaff', 'admin'] },
  {
    route: 'GET /api/archives/:studentId',
    path: () => '/api/archives/stu-1',
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'litLeader', 'admin'],
  },
  { route: 'PATCH /api/archives/:studentId', path: () => '/api/archives/stu-1', forbidden: OTHER_COLLEGE },
  {
    route: 'POST /api/archives/:studentId/reviews',
    path: () => '/api/archives/stu-1/reviews',
    forbidden: OTHER_COLLEGE,
  },
  { route: 'POST /api/archives/:studentId/left', path: () => '/api/archives/stu-1/left', forbidden: OTHER_COLLEGE },
  {
    route: 'GET /exports/archives/:studentId.docx',
    path: () => '/exports/archives/stu-1.docx',
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff'],
  },
  // the same export as a printable page (Print → Save as PDF)
  {
    route: 'GET /archives/:studentId/print',
    path: () => '/archives/stu-1/print',
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'admin'],
  },
  { route: 'GET /api/archive-audit', path: () => '/api/archive-audit', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  { route: 'GET /api/archive/settings', path: () => '/api/archive/settings', allowed: ['litStaff', 'admin'] },
  { route: 'PUT /api/archive/settings', path: () => '/api/archive/settings', forbidden: ADMIN_ONLY },
  { route: 'GET /archives', path: () => '/archives', allowed: ['litStaff', 'admin'] },
  {
    route: 'GET /archives/:studentId',
    path: () => '/archives/stu-1',
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'admin'],
  },
  { route: 'POST /archives/:studentId', path: () => '/archives/stu-1', forbidden: OTHER_COLLEGE },
  { route: 'POST /archives/:studentId/review', path: () => '/archives/stu-1/review', forbidden: OTHER_COLLEGE },
  { route: 'POST /archives/:studentId/left', path: () => '/archives/stu-1/left', forbidden: OTHER_COLLEGE },
  { route: 'GET /admin/archive-audit', path: () => '/admin/archive-audit', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  // class and dorm levels (issue 16 part 2): the reporters' own page is theirs only (test/units-authz.test.ts
  // walks every route as a reporter; the concern and training refusals are in test/units-use-cases.test.ts)
  ...['GET /report', 'POST /report/nothing-unusual', 'POST /report/concern', 'GET /api/report', 'POST /api/report'].map(
    (route): Case => ({ route, path: () => route.split(' ')[1]!, forbidden: ['litStaff', 'admin'] }),
  ),
  { route: 'GET /admin/units', path: () => '/admin/units', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  { route: 'GET /api/units', path: () => '/api/units', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  ...[
    '/admin/units/import',
    '/admin/units/start',
    '/admin/units/settings',
    '/api/units/import',
    '/api/units/start',
    '/api/units/settings',
  ].map((p): Case => ({ route: `POST ${p}`, path: () => p, forbidden: ADMIN_ONLY })),
  ...['/units/concerns', '/api/units/concerns'].map((p): Case => ({
    route: `GET ${p}`,
    path: () => `${p}?college=literature`,
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff', 'admin'],
  })),
  ...['/units/training', '/api/units/training'].map((p): Case => ({
    route: `GET ${p}`,
    path: (i) => `${p}?semester=${i.semester}&college=literature`,
    forbidden: OTHER_COLLEGE,
    allowed: ['litStaff'],
  })),
  { route: 'POST /units/concerns/:id/respond', path: () => '/units/concerns/none/respond' },
  { route: 'POST /api/units/concerns/:id/respond', path: () => '/api/units/concerns/none/respond' },
  { route: 'POST /units/training/:unitId', path: (i) => `/units/training/none?semester=${i.semester}` },
  { route: 'POST /api/units/training/:unitId', path: (i) => `/api/units/training/none?semester=${i.semester}` },
  // the data requests' register (PIPL Art. 44–47) and the retention settings: the counselling centre
  { route: 'GET /admin/data-requests', path: () => '/admin/data-requests', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  { route: 'POST /admin/data-requests', path: () => '/admin/data-requests', forbidden: ADMIN_ONLY },
  {
    route: 'POST /admin/data-requests/:requestId/answer',
    path: () => '/admin/data-requests/req-1/answer',
    forbidden: ADMIN_ONLY,
  },
  { route: 'GET /api/data-requests', path: () => '/api/data-requests', forbidden: ADMIN_ONLY, allowed: ['admin'] },
  { route: 'POST /api/data-requests', path: () => '/api/data-requests', forbidden: ADMIN_ONLY },
  {
    route: 'POST /api/data-requests/:requestId/answer',
    path: () => '/api/data-requests/req-1/answer',
    forbidden: ADMIN_ONLY,
  },
  {
    route: 'GET /admin/archive-settings',
    path: () => '/admin/archive-settings',
    forbidden: ADMIN_ONLY,
    allowed: ['admin'],
  },
  { route: 'POST /admin/archive-settings', path: () => '/admin/archive-settings', forbidden: ADMIN_ONLY },
];

let fx: WebFixture;
let ids: Ids;
const sessions = {} as Record<Who, Session>;

beforeAll(async () => {
  fx = await webFixture();
  const rows: TaskInstanceRow[] = await fx.store.listTaskInstances({
    semesterId: fx.semesterId,
    collegeId: 'literature',
  });
  const task = rows.find((r) => r.ownerRole === 'counsellor')!;
  // an accepted evidence file of that literature task
  fs.mkdirSync(fx.deps.evidenceDir, { recursive: true });
  fs.writeFileSync(path.join(fx.deps.evidenceDir, 'ev-1'), Buffer.from('%PDF-1.4\n%%EOF\n'));
  await fx.knex('evidence_files').insert({
    id: 'ev-1',
    task_id: task.id,
    uploaded_by: 'literature-counsellor',
    original_name: '记录.pdf',
    kind: 'pdf',
    mime: 'application/pdf',
    size: 15,
    sha256: 'x',
    status: 'accepted',
    created_at: Date.now(),
  });
  await fx.store.applyTaskTransition({
    taskId: task.id,
    patch: { status: 'open' },
    audit: { eventKey: `${task.id}/opened`, action: 'opened', actor: 'timer', at: task.openAt },
    notifications: [{ recipientUserId: 'literature-counsellor', kind: 'opened', title: 'x', body: 'y' }],
  });
  const notification = (await fx.store.listNotifications('literature-counsellor'))[0]!.id;
  await fx.knex('students').insert({
    id: 'stu-1',
    school_id: 'demo-school',
    college_id: 'literature',
    student_no: '2024001',
    name: '张小明',
    class_name: '汉语言1班',
    created_at: Date.now(),
  });
  await fx.knex('crisis_cases').insert({
    id: 'case-1',
    student_id: 'stu-1',
    college_id: 'literature',
    situation: 'injury',
    place: '图书馆',
    reported_by: 'literature-counsellor',
    occurred_at: Date.now(),
    reported_at: Date.now(),
    status: 'open',
    escalation_level: 0,
    updated_at: Date.now(),
  });
  await fx.knex('screening_batches').insert({
    id: 'batch-1',
    school_id: 'demo-school',
    name: 'b.csv',
    imported_by: 'admin',
    imported_at: Date.now(),
    rows: 1,
    sha256: 'x',
  });
  await fx.knex('screening_warnings').insert({
    id: 'warn-1',
    batch_id: 'batch-1',
    student_id: 'stu-1',
    college_id: 'literature',
    level: 'red',
    interview_due_at: Date.now(),
    status: 'open',
    escalation_level: 0,
  });
  await fx.knex('key_care_entries').insert({
    id: 'kc-1',
    student_id: 'stu-1',
    college_id: 'literature',
    reasons: JSON.stringify([{ kind: 'other', zh: '寝室矛盾' }]),
    plan: '每周谈话',
    source: 'manual',
    status: 'active',
    added_by: 'literature-counsellor',
    added_at: Date.now(),
    updated_at: Date.now(),
  });
  await fx.knex('ledger_entries').insert({
    id: 'led-1',
    student_id: 'stu-1',
    college_id: 'literature',
    seq: 1,
    categories: '[]',
    life_safety: false,
    description: '',
    plan: '',
    source: 'manual',
    status: 'active',
    created_at: Date.now(),
    updated_at: Date.now(),
  });
  await addActivePairing(fx.knex, { id: 'pair-1', studentId: 'stu-1' });
  ids = {
    crisis: 'case-1',
    keyCare: 'kc-1',
    ledger: 'led-1',
    pairing: 'pair-1',
    warning: 'warn-1',
    semester: fx.semesterId,
    task: task.id,
    evidence: 'ev-1',
    user: 'literature-class-teacher',
    notification,
  };
  for (const who of Object.keys(USERS) as Who[]) sessions[who] = await login(fx.base, USERS[who]);
});
afterAll(async () => {
  await fx.close();
});

describe('authorization coverage', () => {
  test('When the app registers its routes, then every one has an authorization case here', () => {
    expect(CASES.map((c) => c.route).sort()).toEqual([...new Set(registeredRoutes(fx.deps))].sort());
  });
});

const methodOf = (c: Case) => c.route.split(' ')[0]!;

describe.each(CASES)('$route signed out', (c) => {
  test('When called signed out, then it is refused unless public', async () => {
    const res = await fetch(`${fx.base}${c.path(ids)}`, { method: methodOf(c), redirect: 'manual' });
    // public routes need no session (the login routes answer 401 for the missing credentials themselves)
    if (c.public)
      expect(res.status === 403 || (res.status === 303 && res.headers.get('location') === '/login')).toBe(false);
    else if (c.signedOut) expect(res.status).toBe(c.signedOut);
    else if (c.path(ids).startsWith('/api/')) expect(res.status).toBe(401);
    // a page redirects to sign-in, carrying the page asked for (GET) so sign-in can return to it
    else
      expect([res.status, res.headers.get('location')]).toEqual([
        303,
        methodOf(c) === 'GET' && c.path(ids) !== '/' ? `/login?next=${encodeURIComponent(c.path(ids))}` : '/login',
      ]);
  });
});

describe.each(CASES.filter((c) => c.forbidden?.length))('$route by others', (c) => {
  test('When called by someone it does not belong to, then it is 403', async () => {
    for (const who of c.forbidden!) {
      const res = await sessions[who].fetch(c.path(ids), { method: methodOf(c) });
      expect(res.status, `${who} ${c.route}`).toBe(403);
    }
  });
});

describe.each(CASES.filter((c) => c.allowed?.length))('$route by its users', (c) => {
  test('When called by someone it belongs to, then it is served', async () => {
    for (const who of c.allowed!) {
      const res = await sessions[who].fetch(c.path(ids), { method: methodOf(c) });
      expect([200, 303], `${who} ${c.route}: ${res.status}`).toContain(res.status);
    }
  });
});
