/**
 * The web process: dashboard and JSON API. start()/stop() for the process, createApp() for tests.
 */
import type { Server } from 'node:http';
import { Connection } from '@temporalio/client';
import { createKnex, migrateLatest } from '../db/knex';
import { createStore } from '../db/store';
import { codecDataConverter, createCodec, loadCodecKeys } from '../codec/aes-gcm';
import { createStudentKeyring } from '../codec/student-keys';
import { appClient, loadIntegrity } from '../codec/signing';
import { createApp } from './app';
import { dbOptions, loadConfig } from './platform/config/config';
import { createLogger } from './observability/log';
import { createWebMetrics, startMetricsListener } from './observability/metrics';
import { applySecretFiles } from './platform/config/secret-files';

export async function start(): Promise<{ server: Server; stop: () => Promise<void> }> {
  applySecretFiles(process.env);
  const config = loadConfig();
  const logger = createLogger({ service: 'web' });
  const db = createKnex(dbOptions(config));
  await migrateLatest(db);
  // lazy: the dashboard starts (and /healthz reports why) even while Temporal is down
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS, connectTimeout: '3s' });
  const keys = loadCodecKeys();
  // a student's care workflows are encrypted with the student's own key (crypto-shredding)
  const students = createStudentKeyring(db, keys);
  // signs every start, Update and signal (codec/signing.ts); refuses to start without a key in production
  const client = appClient(
    { connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: codecDataConverter(keys, students) },
    await loadIntegrity(db),
  );
  const metrics = createWebMetrics({
    knex: db,
    onError: (what, err) =>
      logger.warn({ metric: what, err: err instanceof Error ? err.name : 'error' }, 'metric not computed'),
  });
  const app = createApp({
    observability: { logger, metrics },
    store: createStore(db),
    knex: db,
    client,
    schoolId: config.SCHOOL_ID,
    temporalUiUrl: config.TEMPORAL_UI_URL,
    publicUrl: config.PUBLIC_URL,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    checkTemporal: async () => {
      await connection.workflowService.getSystemInfo({});
    },
    evidenceDir: config.EVIDENCE_DIR,
    secureCookies: config.SECURE_COOKIES === 'true',
    sessionIdleMs: config.SESSION_IDLE_MINUTES * 60_000,
    loginMaxAttempts: config.LOGIN_MAX_ATTEMPTS,
    loginWindowMs: config.LOGIN_WINDOW_MINUTES * 60_000,
    adminApiToken: config.ADMIN_API_TOKEN,
    codec: createCodec(keys, students),
  });
  if (config.TRUST_PROXY) app.set('trust proxy', config.TRUST_PROXY);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  // Prometheus scrapes without a session: its own port, on loopback unless METRICS_HOST says otherwise
  const metricsServer = config.METRICS_PORT
    ? await startMetricsListener(config.METRICS_PORT, config.METRICS_HOST, () => metrics.registry.metrics())
    : undefined;
  logger.info(
    {
      host: config.HOST,
      port: config.PORT,
      metrics: metricsServer ? `${config.METRICS_HOST}:${config.METRICS_PORT}` : null,
    },
    `web: dashboard at http://${config.HOST}:${config.PORT}`,
  );
  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    metricsServer?.close();
    await connection.close();
    await db.destroy();
  };
  return { server, stop };
}

if (require.main === module) {
  start()
    .then(({ stop }) => {
      const shutdown = () =>
        void stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((err) => {
      console.error('web failed:', err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
