/**
 * The worker process: polls the task queue and runs workflows/ and activities/.
 */
import http from 'node:http';
import path from 'node:path';
import { Connection, type Client } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../activities';
import { createLadderActivities } from '../activities/ladder';
import { createCrisisActivities } from '../activities/crisis';
import { createDigestActivities } from '../activities/digest';
import { createPairingActivities } from '../activities/pairing';
import { createScreeningActivities } from '../activities/screening';
import { createPurgeArchiveActivities } from '../activities/purge-archive';
import { createUnitReportActivities } from '../activities/unit-reports';
import { createDataRequestActivities } from '../activities/data-request';
import { codecDataConverter, loadCodecKeys } from '../codec/aes-gcm';
import { createStudentKeyring } from '../codec/student-keys';
import { activityVerification, appClient, loadIntegrity, type Integrity } from '../codec/signing';
import type { DataConverter } from '@temporalio/common';
import { createKnex, migrateLatest, pingDatabase } from '../db/knex';
import { createStore } from '../db/store';
import { loadChannelConfig, describeChannels } from '../notifications/config';
import { createChannels, createDeliveryActivities, createOutbox, type Outbox } from '../notifications/outbox';
import { dbOptions, loadConfig } from './platform/config/config';
import { workerTuning } from './worker-tuning';
import { withStackTraces } from './workflow-threads/stack-traces';
import { createLogger, temporalLogger } from './observability/log';
import { createWorkerMetrics, workerMetricsText } from './observability/metrics';
import { instrumentActivities, instrumentChannels } from './observability/worker';
import { applySecretFiles } from './platform/config/secret-files';
import { errorForLog } from '../activities/scrub';

/** The workflow interceptors (workflows/interceptors.ts): pass them to `bundleWorkflowCode` too. */
export const WORKFLOW_INTERCEPTORS_PATH = path.join(__dirname, '..', 'workflows', 'interceptors.ts');

/** Every activity the workflows call, built from the worker's dependencies. */
export function allActivities(deps: { knex: Knex; client: Client; outbox: Outbox }) {
  const store = createStore(deps.knex);
  return {
    ...createActivities({ store, client: deps.client }),
    ...createDigestActivities({ store, knex: deps.knex, client: deps.client }),
    ...createCrisisActivities({ store, knex: deps.knex }),
    ...createPairingActivities({ store, knex: deps.knex }),
    ...createScreeningActivities({ store, knex: deps.knex }),
    ...createUnitReportActivities({ store, knex: deps.knex }),
    ...createPurgeArchiveActivities({ knex: deps.knex, client: deps.client }),
    ...createDataRequestActivities({ knex: deps.knex }),
    ...createDeliveryActivities({ outbox: deps.outbox }),
    ...createLadderActivities({ store, client: deps.client, outbox: deps.outbox }),
  };
}

export async function createWorker(deps: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: ReturnType<typeof allActivities>;
  /** encrypts payloads (student data) with the app's keys */
  dataConverter?: DataConverter;
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** the app's keys: activities write only for workflows the app started (codec/signing.ts) */
  integrity?: Integrity;
}): Promise<Worker> {
  const config = loadConfig();
  // WORKER_WORKFLOW_STACK_TRACES=off: the workflow threads skip the SDK's promise hook
  return withStackTraces(config.WORKER_WORKFLOW_STACK_TRACES, () =>
    Worker.create({
      connection: deps.connection,
      namespace: deps.namespace,
      taskQueue: deps.taskQueue,
      // a bundle is built with the interceptor modules (test/helpers/temporal.ts workflowBundle)
      ...(deps.workflowBundle
        ? { workflowBundle: deps.workflowBundle }
        : { workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts') }),
      interceptors: {
        ...(deps.workflowBundle ? {} : { workflowModules: [WORKFLOW_INTERCEPTORS_PATH] }),
        ...(deps.integrity ? { activity: [activityVerification(deps.integrity)] } : {}),
      },
      activities: deps.activities,
      // WORKER_* variables (server/worker-tuning.ts); the SDK's defaults when unset
      ...workerTuning(config),
      ...(deps.dataConverter ? { dataConverter: deps.dataConverter } : {}),
    }),
  );
}

/**
 * The worker's health listener (WORKER_HEALTH_PORT; unset or 0: none): GET /livez answers 200
 * while the process runs, GET /readyz 200 when `ready` resolves (the database and Temporal
 * answer), else 503 with Retry-After; GET /metrics the Prometheus text of `metrics`, when given.
 * Anything else is 404.
 */
export function startHealthListener(
  port: number,
  ready: () => Promise<void>,
  host = '127.0.0.1',
  metrics?: () => Promise<string>,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: object, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return reply(405, { error: 'GET only' }, { allow: 'GET' });
    if (req.url === '/livez') return reply(200, { status: 'ok' });
    if (req.url === '/metrics' && metrics) {
      metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
          res.end(text);
        },
        (e: unknown) => reply(500, { error: `metrics failed: ${e instanceof Error ? e.name : 'error'}` }),
      );
      return;
    }
    if (req.url !== '/readyz') return reply(404, { error: 'no such path' });
    let timer: NodeJS.Timeout | undefined;
    Promise.race([
      ready(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 3000 ms')), 3000))),
    ])
      .then(() => reply(200, { status: 'ready' }))
      .catch((e: unknown) =>
        reply(
          503,
          { status: 'unavailable', error: e instanceof Error ? e.message : String(e) },
          { 'retry-after': '30' },
        ),
      )
      .finally(() => clearTimeout(timer));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function run(): Promise<void> {
  applySecretFiles(process.env);
  const config = loadConfig();
  const channels = loadChannelConfig();
  const logger = createLogger({ service: 'worker' });
  const metrics = createWorkerMetrics();
  // the SDK's log lines (with workflowId, workflowType, activityType) as JSON; its runtime metrics on loopback, merged into /metrics
  const sdkMetricsAddress = config.WORKER_SDK_METRICS_PORT ? `127.0.0.1:${config.WORKER_SDK_METRICS_PORT}` : undefined;
  Runtime.install({
    logger: temporalLogger(
      logger.child(
        { component: 'temporal-sdk' },
        { level: process.env.LOG_LEVEL ?? (config.NODE_ENV === 'development' ? 'warn' : 'info') },
      ),
    ),
    ...(sdkMetricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetricsAddress } } } } : {}),
  });
  const db = createKnex(dbOptions(config));
  // payloads encrypted; a student's care workflows with the student's own key (crypto-shredding)
  const codecKeys = loadCodecKeys();
  const dataConverter = codecDataConverter(codecKeys, createStudentKeyring(db, codecKeys));
  const outbox = createOutbox({
    knex: db,
    channels: instrumentChannels(createChannels(channels), metrics),
    // the outbox rides out database errors; each is one JSON line (the driver's code, never the statement)
    onDbError: (what, err) => void logger.warn({ what, err: errorForLog(err) }, 'outbox: database error'),
  });
  let nativeConnection: NativeConnection | undefined;
  let connection: Connection | undefined;
  let stopSweeper: (() => Promise<void>) | undefined;
  const healthPort = Number(process.env.WORKER_HEALTH_PORT ?? 0);
  if (!Number.isInteger(healthPort) || healthPort < 0 || healthPort > 65535)
    throw new Error(
      `WORKER_HEALTH_PORT must be a port number (0 or unset: no listener), not "${process.env.WORKER_HEALTH_PORT}"`,
    );
  const health = healthPort
    ? await startHealthListener(
        healthPort,
        async () => {
          await pingDatabase(db);
          if (!connection) throw new Error('not connected to Temporal yet');
          await connection.workflowService.getSystemInfo({});
        },
        process.env.HOST ?? '127.0.0.1',
        () => workerMetricsText(metrics, sdkMetricsAddress),
      )
    : undefined;
  try {
    await migrateLatest(db);
    const integrity = await loadIntegrity(db);
    nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    const client = appClient({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter }, integrity);
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities: instrumentActivities(allActivities({ knex: db, client, outbox }), metrics),
      dataConverter,
      integrity,
    });
    logger.info(
      {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        temporal: config.TEMPORAL_ADDRESS,
        health: healthPort || null,
        sdkMetrics: sdkMetricsAddress ?? null,
      },
      `worker: polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}; notifications: ${describeChannels(channels)}`,
    );
    // failed notification deliveries go out again on their own once their channel is back (and those an admin queued)
    stopSweeper = outbox.startSweeper();
    await worker.run(); // Worker installs SIGINT/SIGTERM handlers and drains on shutdown
  } finally {
    await stopSweeper?.();
    health?.close();
    outbox.close();
    await connection?.close();
    await nativeConnection?.close();
    await db.destroy();
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error('worker failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
