/** The UI languages: Chinese first, English switchable (?lang=en, remembered in a cookie). */
export type Lang = 'zh-CN' | 'en';

export const LANGS: readonly Lang[] = ['zh-CN', 'en'];

export function pickLang(query: unknown, cookie?: string): Lang {
  if (query === 'en' || query === 'zh-CN') return query;
  return cookie === 'en' ? 'en' : 'zh-CN';
}
