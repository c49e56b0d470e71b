/**
 * The e-mail channel: one SMTP message per recipient through nodemailer. Each message carries a
 * Message-ID derived from the event key and the notification id, so a receiver (or a mail
 * archive) can recognise the duplicate if a retry ever sends it twice.
 */
import nodemailer from 'nodemailer';
import type { EmailConfig } from './config';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** a full Message-ID, `<…@…>`; see messageIdFor() */
  messageId: string;
}

export interface EmailChannel {
  readonly from: string;
  send(message: EmailMessage): Promise<void>;
  /** the stable Message-ID of one notification's e-mail */
  messageIdFor(eventKey: string, notificationId: number): string;
  close(): void;
}

/** Timeouts unless the URL sets its own (nodemailer's defaults go up to 10 minutes). */
const TIMEOUTS: Record<string, string> = {
  connectionTimeout: '10000',
  greetingTimeout: '10000',
  socketTimeout: '30000',
};

/** Adds the timeouts as URL options, which nodemailer's createTransport(url) reads. */
function withTimeouts(url: string): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(TIMEOUTS)) if (!u.searchParams.has(k)) u.searchParams.set(k, v);
  return u.toString();
}

/** Message-ID local part: the characters RFC 5322 allows in a dot-atom (no dots), others %XX. */
function encodeIdPart(s: string): string {
  return Array.from(Buffer.from(s, 'utf8'))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9!#$&'*+/=?^_`{|}~-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** The domain of `Name <addr@domain>` or `addr@domain`. */
export function domainOf(from: string): string {
  const address = /<([^<>]+)>/.exec(from)?.[1] ?? from;
  const domain = address.slice(address.lastIndexOf('@') + 1).trim();
  return domain || 'localhost';
}

export function messageIdFor(eventKey: string, notificationId: number, from: string): string {
  return `<rx.${encodeIdPart(eventKey)}.n${notificationId}@${domainOf(from)}>`;
}

/**
 * A recipient is one plain `local@domain` address: no display name, no quotes, no comments, no
 * second `@`, no controls. Addresses come from the user records (checked when entered); this is
 * the last line before SMTP, against misrouting by quoted local parts (GHSA-mm7p-fcc7-pg87) and
 * address comments, whatever parser a future nodemailer uses.
 */
const PLAIN_ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export class UnsafeEmailError extends Error {
  override name = 'UnsafeEmailError';
}

/** Throws unless `to` is a plain address. */
export function checkRecipient(to: string): void {
  if (!PLAIN_ADDRESS.test(to) || to.length > 254)
    throw new UnsafeEmailError(`refusing to send to "${to.slice(0, 80)}": not a plain local@domain address`);
}

/** A subject on one line: control characters (a CR or LF would start a new header) become spaces. */
// eslint-disable-next-line no-control-regex
export const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ');

export function createEmailChannel(config: EmailConfig): EmailChannel {
  const transport = nodemailer.createTransport(withTimeouts(config.url));
  return {
    from: config.from,
    async send(m: EmailMessage): Promise<void> {
      checkRecipient(m.to);
      // only these fields: never `raw`, `attachments`, `html` or a path/URL that nodemailer would read
      const info = await transport.sendMail({
        from: config.from,
        to: m.to,
        subject: oneLine(m.subject),
        text: m.text,
        messageId: m.messageId,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      if (info.rejected.length > 0) throw new Error(`SMTP rejected the recipient: ${info.response}`);
    },
    messageIdFor: (eventKey, notificationId) => messageIdFor(eventKey, notificationId, config.from),
    close: () => transport.close(),
  };
}
