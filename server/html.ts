// shim (issue 13): re-export for the other areas until the merge
export { esc, html, raw, Raw } from './platform/html';
export { HEAD_LINKS, page } from './platform/layout';
export { errorPage } from './platform/error-page';
export { unreadBadge } from './platform/unread-badge';
