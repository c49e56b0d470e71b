// The dashboard's texts of the one catalogue (server/platform/i18n/), as MESSAGES[lang]
import { dashboard } from './dashboard';

export { pickLang, type Lang } from './lang';

/** The dashboard's texts (catalogue[lang].ui). */
export const MESSAGES = { 'zh-CN': dashboard['zh-CN'], en: dashboard.en };
export type Messages = (typeof MESSAGES)['zh-CN'] | (typeof MESSAGES)['en'];
