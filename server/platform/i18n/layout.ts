/** Words of the layout: the navigation's extras, the error pages and the 503 page. */
import type { Lang } from './lang';

/** The few layout words that are not in MESSAGES (the crisis link, the menu, the unread badge). */
export const LAYOUT_TEXT: Record<
  Lang,
  { reportCrisis: string; more: string; unread: (n: number) => string; skip: string }
> = {
  'zh-CN': { reportCrisis: '上报危机个案', more: '更多', unread: (n) => `${n} 条未读`, skip: '跳到正文' },
  en: { reportCrisis: 'Report a crisis', more: 'More', unread: (n) => `${n} unread`, skip: 'Skip to content' },
};

/** What an error page says, per status, in each language: a title and what to do next. */
export const ERROR_TEXT: Record<
  Lang,
  Record<number, [string, string]> & { other: [string, string]; home: string; back: string; details: string }
> = {
  'zh-CN': {
    400: ['请求有误', '提交的内容不完整或格式不正确，请返回修改后再试。'],
    403: ['没有权限', '您的账号无权查看或办理此项。如需办理，请联系学院负责人或学校管理员。'],
    404: ['页面不存在', '您要找的页面或记录不存在，可能链接有误或已被删除。'],
    405: ['不支持此操作', '此页面不支持这种操作，请从页面上的按钮或链接进入。'],
    409: ['操作未能完成', '此事项的状态已经改变（例如已由他人办结），请刷新页面查看最新情况。'],
    413: ['文件太大', '上传的文件超过了大小限制，请压缩或拆分后再试。'],
    415: ['文件类型不支持', '只能上传图片（JPEG、PNG）或 PDF 文件。'],
    422: ['重复提交的内容不一致', '同一表单被再次提交，但内容与第一次不同。请刷新页面后重新填写。'],
    other: ['系统出错', '服务器处理时出错，已记录。请稍后再试；如果一再出现，请联系学校管理员。'],
    home: '返回首页',
    back: '返回上一页',
    details: '技术细节',
  },
  en: {
    400: ['Bad request', 'What was sent is incomplete or malformed: go back, correct it and try again.'],
    403: ['Not allowed', 'Your account may not see or do this. Ask your college leader or the school administrator.'],
    404: ['Page not found', 'The page or record does not exist: the link may be wrong, or it was removed.'],
    405: ['Not supported', 'This page does not support that action: use the buttons and links on the pages.'],
    409: [
      'Could not be done',
      'The item has changed (someone may have completed it already): reload the page to see where it stands.',
    ],
    413: ['File too large', 'An uploaded file is over the size limit: compress or split it and try again.'],
    415: ['File type not supported', 'Only images (JPEG, PNG) or PDF files can be uploaded.'],
    422: [
      'Resubmitted form differs',
      'The same form was sent again with different content. Reload the page and fill it in again.',
    ],
    other: [
      'Something went wrong',
      'The server could not handle this; it has been logged. Try again later, and tell the school administrator if it keeps happening.',
    ],
    home: 'Back to the home page',
    back: 'Back to the previous page',
    details: 'Technical details',
  },
};

/** The 503 page (server/platform/error-middleware.ts): the data is safe, try again. */
export const UNAVAILABLE_TEXT: Record<Lang, { title: string; heading: string; body: string }> = {
  'zh-CN': {
    title: '服务暂时不可用',
    heading: '服务暂时不可用，您的数据是安全的',
    body: '数据库或流程服务暂时没有响应，已保存的内容不会丢失。请稍后再试；重新提交的表单只会生效一次。',
  },
  en: {
    title: 'Service temporarily unavailable',
    heading: 'Service temporarily unavailable, your data is safe',
    body: 'The database or the workflow service does not answer right now. Nothing you saved is lost. Please try again in a minute; a form you send again is applied only once.',
  },
};
