// shim (issue 13): re-export for the other areas until the merge (the catalogue: server/platform/i18n/)
import { dashboard } from './platform/i18n/dashboard';

export { pickLang, type Lang } from './platform/i18n/lang';

/** The dashboard's texts (catalogue[lang].ui). */
export const MESSAGES = { 'zh-CN': dashboard['zh-CN'], en: dashboard.en };
export type Messages = (typeof MESSAGES)['zh-CN'] | (typeof MESSAGES)['en'];
