/** The school admin's page of failed notification deliveries (/admin/deliveries). */
import { html } from '../../../platform/html';
import { fmt } from '../../../platform/request';
import type { FailedDelivery } from '../deliveries';

export interface DeliveriesPageInput {
  en: boolean;
  zone: string;
  deliveries: FailedDelivery[];
  unsent: number;
  csrf: string;
  /** what was queued (a delivery id or a count), from the redirect after a re-send */
  done: string;
  /** the message of a refused re-send */
  error: string;
}

/** The page's title and body (the layout adds the rest). */
export function deliveriesPage(input: DeliveriesPageInput) {
  const { en, zone, deliveries, unsent, csrf, done, error } = input;
  const title = en ? 'Failed notifications' : '发送失败的通知';
  const body = html`<h1>${title}</h1>
<p>${
    en
      ? 'E-mails and group-robot messages that could not be sent. They are re-sent on their own every few seconds once the channel works again; a re-send here queues one now. A message is never sent twice on purpose: each carries the same key.'
      : '以下邮件和群机器人消息未能发出。通道恢复后系统会每隔数秒自动重发；也可在此立即重发。每条消息带有固定的编号，不会有意重复发送。'
  }</p>
${done ? html`<p class="notice" id="done">${en ? 'Queued' : '已排队重发'}: ${done}</p>` : ''}
${error ? html`<p class="error" id="error">${error}</p>` : ''}
<p id="unsent">${en ? 'Not yet sent in all' : '尚未发出（含排队中）'}: ${unsent}</p>
${
  deliveries.length
    ? html`<form method="post" action="/admin/deliveries/resend-failed"><input type="hidden" name="_csrf" value="${csrf}"><button class="btn">${en ? 'Re-send all failed' : '全部重发'}</button></form>
<table id="failed-deliveries"><thead><tr><th>${en ? 'Message' : '消息'}</th><th>${en ? 'Channel' : '通道'}</th><th>${en ? 'To' : '接收方'}</th><th>${en ? 'Attempts' : '尝试次数'}</th><th>${en ? 'Last attempt' : '最近尝试'}</th><th>${en ? 'Error' : '错误'}</th><th></th></tr></thead><tbody>
${deliveries.map(
  (
    d,
  ) => html`<tr data-delivery="${d.id}"><td>${d.title}<br><small>${d.eventKey}</small></td><td>${d.channel === 'email' ? (en ? 'e-mail' : '邮件') : en ? 'group robot' : '群机器人'}</td><td>${d.target}</td><td>${d.attempts}</td><td>${d.lastAttemptAt ? fmt(d.lastAttemptAt, zone) : '-'}</td><td>${d.lastError ?? ''}</td>
<td><form method="post" action="/admin/deliveries/${d.id}/resend"><input type="hidden" name="_csrf" value="${csrf}"><button class="btn">${en ? 'Re-send' : '重发'}</button></form></td></tr>`,
)}
</tbody></table>`
    : html`<p id="none">${en ? 'No failed notifications.' : '没有发送失败的通知。'}</p>`
}`;
  return { title, body };
}
