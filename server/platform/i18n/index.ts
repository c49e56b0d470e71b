/**
 * The one i18n catalogue (issue 13): every text of the pages, the exports and the notifications,
 * by language, with typed keys: `t('en').auth.loginTitle`, `text(req).care.careTitle`. The areas
 * live in their own files (dashboard, auth, care, crisis, exports, overview, layout,
 * notifications, codes, screening, …), which nothing outside this folder imports (.dependency-cruiser.cjs,
 * `i18n-through-the-catalogue`); `{name}` placeholders are filled by `fill`.
 */
import type { Request } from 'express';
import { ARCHIVE_TEXT } from './archive';
import { ARCHIVE_REQUEST_TEXT, REQUEST_NOTIFICATIONS } from './archive-requests';
import { AUTH_MESSAGES } from './auth';
import { en as careEn } from './care-en';
import { zh as careZh } from './care-zh';
import { CODE_WORDS } from './codes';
import { countdownText, CRISIS_TEXT } from './crisis';
import { dashboard } from './dashboard';
import { exportsText } from './exports';
import { indicatorHeadline, indicatorValueText } from './indicator-values';
import { INDICATORS_TEXT } from './indicators';
import type { Lang } from './lang';
import { ERROR_TEXT, LAYOUT_TEXT, UNAVAILABLE_TEXT } from './layout';
import { NOTIFICATION_TEXT } from './notifications';
import { OVERVIEW_TEXT } from './overview';
import { SCREENING_TEXT } from './screening';
import { UNITS_NOTIFICATION_TEXT, UNITS_TEXT } from './units';

export { LANGS, pickLang, type Lang } from './lang';
/** "还剩 1 小时 5 分钟" in a language (also `t(lang).crisis.countdown`): the rule of the page script's countdown. */
export { countdownText };
/** An indicator's value as one line, and its headline figure, in the indicators' texts (`t(lang).indicators`). */
export { indicatorHeadline, indicatorValueText };

const CARE_MESSAGES = { 'zh-CN': careZh, en: careEn } as const;

const area = (lang: Lang) => ({
  /** the dashboard, the staff workspace, semester administration and the navigation */
  ui: dashboard[lang],
  auth: AUTH_MESSAGES[lang],
  care: CARE_MESSAGES[lang],
  archive: ARCHIVE_TEXT[lang],
  /** the data requests' register (PIPL Art. 44–47) */
  archiveRequests: ARCHIVE_REQUEST_TEXT[lang],
  crisis: CRISIS_TEXT[lang],
  exports: exportsText[lang],
  indicators: INDICATORS_TEXT[lang],
  /** words for stored codes: occurrences, levels, statuses, months, roles, weekdays, a task's refusals */
  codes: CODE_WORDS[lang],
  /** the screening-import page and its row problems */
  screening: SCREENING_TEXT[lang],
  overview: OVERVIEW_TEXT[lang],
  layout: LAYOUT_TEXT[lang],
  errors: ERROR_TEXT[lang],
  unavailable: UNAVAILABLE_TEXT[lang],
  /** the class and dorm levels (issue 16 part 2) */
  units: UNITS_TEXT[lang],
  /** written in Chinese only today */
  notifications: { ...NOTIFICATION_TEXT, units: UNITS_NOTIFICATION_TEXT, dataRequests: REQUEST_NOTIFICATIONS },
});

export const catalogue = { 'zh-CN': area('zh-CN'), en: area('en') };

export type Catalogue = (typeof catalogue)[Lang];
/** the indicators' texts (server/features/indicators) */
export type IndicatorMessages = Catalogue['indicators'];
/** the catalogue's areas: a typed key is `keyof Catalogue[Area]` */
export type Area = keyof Catalogue;

/** The texts of one language. */
export const t = (lang: Lang): Catalogue => catalogue[lang];

/** The texts of the request's language (Chinese when none was chosen). */
export const text = (req: Pick<Request, 'lang'>): Catalogue => catalogue[req.lang ?? 'zh-CN'];

/** Replaces `{name}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}
