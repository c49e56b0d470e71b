/**
 * The group-robot channel: WeCom (企业微信群机器人) or DingTalk (钉钉自定义机器人). One message per
 * event, posted as the text shape both accept: {"msgtype":"text","text":{"content":"…"}}.
 * Both answer {"errcode":0,"errmsg":"ok"} on success, and HTTP 200 with a non-zero errcode on
 * many failures (bad token, rate limit, keyword check), so a non-zero errcode is a failure too.
 *
 * A message with a `key` (the outbox's deliveryKey) ends with a `[#key]` line the group sees and
 * carries it in an `Idempotency-Key` header, so a duplicate (a send in flight when the worker was
 * killed) is recognisable as such by people and by a receiver that reads the header.
 *
 * The URL holds the robot's access token: errors name only the host, and the outbox stores
 * `target` (host and a sha256 of the URL) instead of the URL.
 */
import crypto from 'node:crypto';
import type { WebhookConfig, WebhookKind } from './config';

export interface WebhookMessage {
  title: string;
  text: string;
  /** the delivery's stable idempotency key (rx-…), shown as the last line and sent as Idempotency-Key */
  key?: string;
}

export interface WebhookChannel {
  readonly kind: WebhookKind;
  /** `<host>#sha256:<hex of the URL>`: identifies the robot without its token. */
  readonly target: string;
  send(message: WebhookMessage): Promise<void>;
}

export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Content limits in UTF-8 bytes: WeCom text 2048; DingTalk allows far more, 4000 keeps it readable. */
const MAX_CONTENT_BYTES: Record<WebhookKind, number> = { wecom: 2048, dingtalk: 4000 };

export function webhookTarget(url: string): string {
  return `${new URL(url).host}#sha256:${crypto.createHash('sha256').update(url).digest('hex')}`;
}

/** Cuts `s` to at most `max` UTF-8 bytes without splitting a character, marking the cut. */
export function truncateUtf8(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  const ellipsis = '…';
  let out = '';
  let bytes = Buffer.byteLength(ellipsis, 'utf8');
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out + ellipsis;
}

/** The JSON body a WeCom or DingTalk robot accepts. */
export function webhookBody(kind: WebhookKind, m: WebhookMessage): { msgtype: 'text'; text: { content: string } } {
  const content = m.title ? `${m.title}\n${m.text}` : m.text;
  if (!m.key) return { msgtype: 'text', text: { content: truncateUtf8(content, MAX_CONTENT_BYTES[kind]) } };
  // the key line survives any cut: the text is cut to leave room for it
  const keyLine = `\n[#${m.key}]`;
  return {
    msgtype: 'text',
    text: { content: truncateUtf8(content, MAX_CONTENT_BYTES[kind] - Buffer.byteLength(keyLine, 'utf8')) + keyLine },
  };
}

/** DingTalk 加签: timestamp and sign = base64(HMAC-SHA256(secret, "<timestamp>\n<secret>")). */
function signedUrl(url: string, secret: string, now: number): string {
  const u = new URL(url);
  const sign = crypto.createHmac('sha256', secret).update(`${now}\n${secret}`).digest('base64');
  u.searchParams.set('timestamp', String(now));
  u.searchParams.set('sign', sign);
  return u.toString();
}

export function createWebhookChannel(config: WebhookConfig): WebhookChannel {
  const host = new URL(config.url).host;
  return {
    kind: config.kind,
    target: webhookTarget(config.url),
    async send(m: WebhookMessage): Promise<void> {
      const url =
        config.kind === 'dingtalk' && config.secret ? signedUrl(config.url, config.secret, Date.now()) : config.url;
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            ...(m.key ? { 'idempotency-key': m.key } : {}),
          },
          body: JSON.stringify(webhookBody(config.kind, m)),
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
      } catch (err) {
        // fetch errors carry no URL, but their cause may; keep the message and the cause's code.
        const e = err as Error & { cause?: { code?: string; message?: string } };
        const why =
          e.name === 'TimeoutError'
            ? `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`
            : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
        // eslint-disable-next-line preserve-caught-error -- the cause may carry the webhook URL (its key): only its code is kept
        throw new Error(`${config.kind} webhook ${host}: ${why}`);
      }
      const text = await res.text().catch(() => '');
      if (!res.ok)
        throw new Error(`${config.kind} webhook ${host}: HTTP ${res.status} ${truncateUtf8(text.trim(), 200)}`.trim());
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        return; // 2xx without a JSON body: accepted
      }
      if (answer && typeof answer === 'object' && 'errcode' in answer) {
        const { errcode, errmsg } = answer as { errcode: unknown; errmsg?: unknown };
        if (Number(errcode) !== 0)
          throw new Error(`${config.kind} webhook ${host}: errcode ${String(errcode)} ${String(errmsg ?? '')}`.trim());
      }
    },
  };
}
