/**
 * Finding 9: nodemailer advisories. The e-mail channel against a real local SMTP server
 * (smtp-server on 127.0.0.1, port 0): what reaches the server's envelope and headers when an
 * address or a subject is hostile.
 * - GHSA-mm7p-fcc7-pg87 (nodemailer < 7.0.7): a quoted local part containing `@` was routed to
 *   the domain inside the quotes;
 * - the 8.0.5–9.0.1 advisories: CRLF injection in headers and in the transport name (`name`, read
 *   from the SMTP URL), and file/URL access through `raw`.
 */
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadChannelConfig } from '../../notifications/config';
import { createEmailChannel, UnsafeEmailError } from '../../notifications/email';
import { localSmtp } from '../helpers/smtp';

interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: string;
}

const received: Received[] = [];
const smtp = localSmtp(({ mailFrom, rcptTo, raw }) => received.push({ mailFrom, rcptTo, raw }));

let url = '';
const FROM = '心理健康工作督办 <noreply@example.edu.cn>';

beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  url = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => smtp.close(() => r(undefined)));
});

const headerNames = (raw: string) =>
  raw
    .slice(0, raw.indexOf('\r\n\r\n'))
    .split('\r\n')
    .filter((l) => !/^[ \t]/.test(l))
    .map((l) => l.slice(0, l.indexOf(':')).toLowerCase());

describe('e-mail: addresses and headers (finding 9)', () => {
  test('nodemailer is at the current major (10), past every advisory listed in SECURITY.md', () => {
    const version = (createRequire(__filename)('nodemailer/package.json') as { version: string }).version;
    expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(10);
  });

  test('the library parses a quoted local part containing @ to the RFC domain (GHSA-mm7p-fcc7-pg87)', () => {
    const addressparser = createRequire(__filename)('nodemailer/lib/addressparser') as (
      s: string,
    ) => Array<{ address: string }>;
    expect(addressparser('"victim@evil.example x"@school.edu.cn')[0]!.address.endsWith('@school.edu.cn')).toBe(true);
    // a comment never glues another domain on (9.1.0)
    expect(addressparser('user@school.edu.cn(x)evil.example')[0]!.address).toBe('user@school.edu.cn');
  });

  test('the channel refuses any recipient that is not a plain local@domain, and nothing reaches the SMTP server', async () => {
    const channel = createEmailChannel({ url, from: FROM });
    const before = received.length;
    for (const to of [
      '"victim@evil.example x"@school.edu.cn',
      'user@school.edu.cn(x)evil.example',
      'a@b.cn, c@evil.example',
      'a@b.cn\r\nRCPT TO:<c@evil.example>',
      'Name <a@b.cn>',
    ]) {
      await expect(
        channel.send({ to, subject: 's', text: 't', messageId: '<m1@example.edu.cn>' }),
      ).rejects.toBeInstanceOf(UnsafeEmailError);
    }
    channel.close();
    expect(received.length).toBe(before);
  });

  test('a subject with CR/LF cannot add a header or a recipient', async () => {
    const channel = createEmailChannel({ url, from: FROM });
    await channel.send({
      to: 'teach@school.edu.cn',
      subject: '提醒\r\nBcc: attacker@evil.example\r\nX-Injected: 1',
      text: '正文\r\n.\r\nMAIL FROM:<x@evil.example>',
      messageId: '<m2@example.edu.cn>',
    });
    channel.close();
    const mail = received.at(-1)!;
    expect(mail.rcptTo).toEqual(['teach@school.edu.cn']);
    expect(mail.mailFrom).toBe('noreply@example.edu.cn');
    const names = headerNames(mail.raw);
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-injected');
    expect(names.filter((n) => n === 'subject')).toHaveLength(1);
    expect(mail.raw).toContain('Message-ID: <m2@example.edu.cn>');
  });

  test('the SMTP URL and sender may not carry line breaks (the transport name is read from the URL)', () => {
    expect(() => loadChannelConfig({ SMTP_URL: `${url}?name=host%0d%0aRCPT%20TO:%3Cx@evil.example%3E` })).toThrow(
      /SMTP_URL: must not contain line breaks/,
    );
    expect(() => loadChannelConfig({ SMTP_URL: url, SMTP_FROM: 'x <a@b.cn>\nBcc: c@evil.example' })).toThrow(
      /SMTP_FROM/,
    );
    expect(loadChannelConfig({ SMTP_URL: `${url}?name=mail.school.edu.cn` }).email?.url).toContain(
      'name=mail.school.edu.cn',
    );
  });
});
