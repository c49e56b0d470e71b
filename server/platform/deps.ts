/**
 * What the web app is built from (createApp(deps)); tests pass their own.
 */
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Knex } from 'knex';
import type { Store } from '../../db/store';

export interface AppDeps {
  store: Store;
  knex: Knex;
  schoolId: string;
  temporalUiUrl: string;
  /** the dashboard's public address (PUBLIC_URL, no trailing slash): links handed out are built from it, never from the Host header */
  publicUrl: string;
  namespace: string;
  taskQueue: string;
  /** Temporal client for Updates and starts; absent in tests that need none */
  client?: Client;
  /** throws when Temporal does not answer */
  checkTemporal: () => Promise<void>;
  /** where uploaded evidence is stored (data/evidence) */
  evidenceDir: string;
  /** Secure cookies (behind TLS) */
  secureCookies: boolean;
  /** a session ends after this long without a request */
  sessionIdleMs: number;
  /** failed sign-ins allowed per account from one address, and per address, in `loginWindowMs` */
  loginMaxAttempts: number;
  loginWindowMs: number;
  /** waits out the progressive sign-in delay of an account (default: a timer); tests record it instead */
  loginDelay?: (ms: number) => Promise<void>;
  /** the payload codec behind /codec/{encode,decode} for the Temporal Web UI; absent: no endpoint */
  codec?: PayloadCodec;
  /** origin of the Temporal Web UI (CORS for the codec endpoint) */
  temporalUiOrigin?: string;
  /** bearer token of the semester administration API (ops automation); unset: disabled */
  adminApiToken?: string;
  now?: () => number;
  /** request ids, JSON request logs and HTTP latency metrics (server/observability); absent: none */
  observability?: import('../observability/http').Observability;
}

/** What a use case gets for one request: the database, the store, Temporal (when configured), the task queue and the request's now. */
export interface RequestDeps {
  knex: Knex;
  store: Store;
  client?: Client;
  taskQueue: string;
  now: number;
}

export const requestDeps = (deps: AppDeps): RequestDeps => ({
  knex: deps.knex,
  store: deps.store,
  client: deps.client,
  taskQueue: deps.taskQueue,
  now: (deps.now ?? Date.now)(),
});
