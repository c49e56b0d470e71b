/**
 * Optional external notification channels, from the environment. Each one is off unless its URL
 * is set; the in-app inbox is always on. A bad value stops the process with a message naming the
 * variable. URLs carry secrets (the SMTP password, the robot's access token), so a message shows
 * only the scheme, host and path of what it got, never credentials or the query string.
 *
 * | variable         | default                                  |                                     |
 * | ---------------- | ---------------------------------------- | ----------------------------------- |
 * | `SMTP_URL`       | unset: e-mail off                        | smtp://user:pass@host:port, smtps:// |
 * | `SMTP_FROM`      | `心理健康工作督办 <noreply@localhost>`   | sender                              |
 * | `WEBHOOK_URL`    | unset: webhook off                       | the group robot's http(s) URL        |
 * | `WEBHOOK_KIND`   | `wecom`                                  | `wecom` (企业微信) or `dingtalk` (钉钉) |
 * | `WEBHOOK_SECRET` | unset                                    | DingTalk 加签 secret (dingtalk only) |
 */
import { z } from '../domain/zod';
import { ConfigError } from '../server/platform/config/config';

export type WebhookKind = 'wecom' | 'dingtalk';

export interface EmailConfig {
  /** smtp:// or smtps:// URL, credentials included; nodemailer's createTransport(url). */
  url: string;
  /** the From header, e.g. `心理健康工作督办 <noreply@example.edu.cn>` */
  from: string;
}

export interface WebhookConfig {
  /** the robot's URL, access token included: never log or store it. */
  url: string;
  kind: WebhookKind;
  /** DingTalk signing secret (加签); requests are signed when it is set. */
  secret?: string;
}

export interface ChannelConfig {
  email?: EmailConfig;
  webhook?: WebhookConfig;
}

export const DEFAULT_SMTP_FROM = '心理健康工作督办 <noreply@localhost>';

function urlWithProtocols(protocols: string[], message: string) {
  return z.string().superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message });
      return;
    }
    if (!protocols.includes(url.protocol) || !url.hostname) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
    // a CR or LF anywhere (decoded) could end up in an SMTP command (the transport's `name` option
    // is read from the URL) or an HTTP request line
    // eslint-disable-next-line no-control-regex
    else if (/[\r\n\u0000]/.test(safeDecode(value)))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'must not contain line breaks or NUL, also not percent-encoded',
      });
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `Name <addr@domain>` or `addr@domain`. */
const mailbox = z
  .string()
  .regex(
    /^(?:[^<>]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/,
    'must be an address, e.g. 心理健康工作督办 <noreply@example.edu.cn>',
  )
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\r\n\u0000]/.test(s), 'must not contain line breaks or NUL');

const schema = z
  .object({
    SMTP_URL: urlWithProtocols(
      ['smtp:', 'smtps:'],
      'must be smtp://user:pass@host:port or smtps://user:pass@host:port (leave it unset for no e-mail)',
    ).optional(),
    SMTP_FROM: mailbox.default(DEFAULT_SMTP_FROM),
    WEBHOOK_URL: urlWithProtocols(
      ['http:', 'https:'],
      'must be the group robot’s http:// or https:// URL (leave it unset for no webhook)',
    ).optional(),
    WEBHOOK_KIND: z.enum(['wecom', 'dingtalk']).default('wecom'),
    WEBHOOK_SECRET: z.string().min(1).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.WEBHOOK_SECRET !== undefined && v.WEBHOOK_KIND !== 'dingtalk') {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['WEBHOOK_SECRET'],
        message: 'is only used with WEBHOOK_KIND=dingtalk (加签)',
      });
    }
  });

const SECRET_VARIABLES = new Set(['SMTP_URL', 'WEBHOOK_URL', 'WEBHOOK_SECRET']);

/** What an error message may show of a value: secrets reduced to scheme, host and path. */
function shown(variable: string, value: string | undefined): string {
  if (value === undefined) return 'unset';
  if (!SECRET_VARIABLES.has(variable)) return JSON.stringify(value);
  if (variable === 'WEBHOOK_SECRET') return '(hidden)';
  try {
    const url = new URL(value);
    const auth = url.username || url.password ? '***@' : '';
    const query = url.search ? '?…' : '';
    return JSON.stringify(`${url.protocol}//${auth}${url.host}${url.pathname === '/' ? '' : url.pathname}${query}`);
  } catch {
    return `(not a URL, ${value.length} characters)`;
  }
}

export function loadChannelConfig(env: NodeJS.ProcessEnv = process.env): ChannelConfig {
  const input = Object.fromEntries(
    ['SMTP_URL', 'SMTP_FROM', 'WEBHOOK_URL', 'WEBHOOK_KIND', 'WEBHOOK_SECRET']
      .map((k) => [k, env[k]?.trim()] as const)
      .filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const variable = String(i.path[0]);
      return `  ${variable}: ${i.message} (got ${shown(variable, input[variable])})`;
    });
    throw new ConfigError(`invalid notification channel configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const out: ChannelConfig = {};
  if (c.SMTP_URL) out.email = { url: c.SMTP_URL, from: c.SMTP_FROM };
  if (c.WEBHOOK_URL)
    out.webhook = {
      url: c.WEBHOOK_URL,
      kind: c.WEBHOOK_KIND,
      ...(c.WEBHOOK_SECRET ? { secret: c.WEBHOOK_SECRET } : {}),
    };
  return out;
}

/** A one-line description for the start log, without secrets: `e-mail via smtps://host:465, webhook wecom qyapi.weixin.qq.com`. */
export function describeChannels(c: ChannelConfig): string {
  const parts: string[] = ['inbox'];
  if (c.email) {
    const u = new URL(c.email.url);
    parts.push(`e-mail via ${u.protocol}//${u.host}`);
  }
  if (c.webhook)
    parts.push(`webhook ${c.webhook.kind} ${new URL(c.webhook.url).host}${c.webhook.secret ? ' (signed)' : ''}`);
  return parts.join(', ');
}
