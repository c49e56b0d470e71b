/**
 * Browser helpers for end-to-end tests: Debian's Chromium (never a downloaded browser) driven by
 * playwright-core, sign-in through the real login form, a real PNG file, and the CI artifact
 * directory for screenshots.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_PASSWORD } from '../../db/demo';

const ROOT = path.resolve(__dirname, '..', '..');

/** Where screenshots go (git-ignored; CI keeps them as artifacts). */
export const ARTIFACTS_DIR = path.join(ROOT, 'artifacts', 'e2e');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** A fresh context (own cookies) whose relative URLs, for pages and `page.request`, resolve against the app. */
export async function freshPage(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = await context.newPage();
  return { context, page };
}

/**
 * Signs in through the login form and returns the response to the form's POST (a 303 on
 * success, the re-rendered form otherwise). Callers wait for where the app sends the user.
 */
export async function loginViaForm(
  page: Page,
  username: string,
  password = DEMO_PASSWORD,
  opts: { screenshot?: string } = {},
): Promise<Response> {
  await page.goto('/login');
  await page.locator('form[action^="/login"] #username').waitFor();
  if (opts.screenshot) await page.screenshot({ path: opts.screenshot, fullPage: true });
  await page.fill('#username', username);
  await page.fill('#password', password);
  const [post] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
    page.click('form[action^="/login"] button[type="submit"]'),
  ]);
  return post;
}

/** The error message of a page the app rendered (its `<p class="error">`), for assertion messages. */
export async function pageError(res: Response): Promise<string> {
  const body = await res.text().catch(() => '');
  return /<p class="error"[^>]*>([^<]*)<\/p>/.exec(body)?.[1] ?? '(no error message on the page)';
}

/** Screenshot path under artifacts/e2e/ (the directory is created on first use). */
export function artifact(name: string): string {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid 1×1 RGBA PNG of one colour (signature, IHDR, zlib-compressed IDAT, IEND). */
export function onePixelPng(rgba: [number, number, number, number] = [0x2e, 0x7d, 0x32, 0xff]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0); // width
  ihdr.writeUInt32BE(1, 4); // height
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter
  ihdr[12] = 0; // no interlace
  const scanline = Buffer.from([0, ...rgba]); // filter byte "none", then the pixel
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(scanline)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A context at `size` (a phone below 600 px wide: touch, mobile) whose relative URLs resolve against
 * the app; `opts.bypassCSP` lets a test put its own script into the pages (axe-core).
 */
export async function sizedPage(
  browser: Browser,
  baseURL: string,
  size: { width: number; height: number },
  opts: { bypassCSP?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const phone = size.width < 600;
  const context = await browser.newContext({
    baseURL,
    locale: 'zh-CN',
    viewport: { width: size.width, height: size.height },
    hasTouch: phone,
    isMobile: phone,
    deviceScaleFactor: 1,
    ...opts,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  return { context, page: await context.newPage() };
}

/**
 * Signs in through the login form (a 303, or the test fails naming the form's error) and waits
 * for the page the app sends the user to: `landing` when given, else any page but the form.
 */
export async function signIn(
  page: Page,
  username: string,
  opts: { landing?: string; screenshot?: string; password?: string } = {},
): Promise<void> {
  const post = await loginViaForm(page, username, opts.password ?? DEMO_PASSWORD, { screenshot: opts.screenshot });
  expect(post.status(), `sign-in of ${username} through the login form: ${await pageError(post)}`).toBe(303);
  await page.waitForURL((u) => (opts.landing ? u.pathname === opts.landing : u.pathname !== '/login'));
}

/** The page's width and the window's (run in the page: a string, the test's TypeScript has no DOM types). */
export const pageWidths = (page: Page) =>
  page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
  );

/** Latin words in a page's text, except the `allowed` ones and identifiers of hex digits only (the case number). */
export function latinWords(text: string, allowed: ReadonlySet<string>): string[] {
  return [...text.matchAll(/[A-Za-z0-9]*[A-Za-z]{2,}[A-Za-z0-9]*/g)]
    .map((m) => m[0])
    .filter((w) => !allowed.has(w) && !/^[0-9a-f]+$/.test(w));
}
