/**
 * The real web app (createApp) for the benchmarks that time it over HTTP (compliance, care,
 * completion): on 127.0.0.1:0 over a bench's read model, and one timed GET route.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { createStore } from '../db/store';
import { createApp } from '../server/app';
import type { AppDeps } from '../server/platform/deps';

/** The web app over `knex` on 127.0.0.1:0 (no Temporal check, plain cookies, no sign-in limit worth hitting); its base URL. */
export async function startBenchWeb(
  o: { knex: Knex; schoolId: string; evidenceDir: string } & Partial<AppDeps>,
): Promise<{ base: string; close(): Promise<void> }> {
  const app = createApp({
    store: createStore(o.knex),
    temporalUiUrl: 'http://127.0.0.1:8233',
    publicUrl: 'http://127.0.0.1:3000',
    namespace: 'default',
    taskQueue: 'bench',
    checkTemporal: async () => {},
    secureCookies: false,
    sessionIdleMs: 30 * 60_000,
    loginMaxAttempts: 1000,
    loginWindowMs: 60_000,
    ...o,
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
  };
}

export interface HttpResult {
  route: string;
  /** of the last response */
  bytes: number;
  /** its content type, without parameters */
  type: string;
  /** sorted, in ms */
  times: number[];
}

/** GET `route` with the session cookie, timed by `timed`; each response read in full and checked for status 200. */
export async function timeGet(
  base: string,
  route: string,
  cookie: string,
  timed: (once: () => Promise<void>) => Promise<number[]>,
): Promise<HttpResult> {
  let bytes = 0;
  let type = '';
  const times = await timed(async () => {
    const res = await fetch(`${base}${route}`, { headers: { cookie }, redirect: 'manual' });
    const body = await res.arrayBuffer();
    if (res.status !== 200)
      throw new Error(`GET ${route}: ${res.status} ${Buffer.from(body).toString('utf8').slice(0, 200)}`);
    bytes = body.byteLength;
    type = (res.headers.get('content-type') ?? '').split(';')[0]!;
  });
  return { route, bytes, type, times };
}
