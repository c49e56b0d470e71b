/** UI text, Chinese first, English switchable (?lang=en, remembered in a cookie). */
import { dashboard } from './i18n/dashboard';

export const MESSAGES = { 'zh-CN': dashboard['zh-CN'], en: dashboard.en };

export type Lang = keyof typeof MESSAGES;
export type Messages = (typeof MESSAGES)['zh-CN'] | (typeof MESSAGES)['en'];

export function pickLang(query: unknown, cookie?: string): Lang {
  if (query === 'en' || query === 'zh-CN') return query;
  return cookie === 'en' ? 'en' : 'zh-CN';
}
