/**
 * The web process: dashboard and JSON API. start()/stop() for the process, createApp() for tests.
 */
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { createKnex, migrateLatest } from '../db/knex';
import { createStore } from '../db/store';
import { createApp } from './app';
import { dbOptions, loadConfig } from './config';
import { startCollege, startSemester } from './semesters';

export async function start(): Promise<{ server: Server; stop: () => Promise<void> }> {
  const config = loadConfig();
  const db = createKnex(dbOptions(config));
  await migrateLatest(db);
  // lazy: the dashboard starts (and /healthz reports why) even while Temporal is down
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS, connectTimeout: '3s' });
  const store = createStore(db);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = createApp({
    store,
    adminApiToken: config.ADMIN_API_TOKEN,
    semesters: {
      start: (id) => startSemester(client, store, id, config.TEMPORAL_TASK_QUEUE),
      addCollege: (id, collegeId) => startCollege(client, store, id, collegeId, config.TEMPORAL_TASK_QUEUE),
    },
    schoolId: config.SCHOOL_ID,
    temporalUiUrl: config.TEMPORAL_UI_URL,
    checkTemporal: async () => {
      await connection.workflowService.getSystemInfo({});
    },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  console.log(`web: dashboard at http://${config.HOST}:${config.PORT}`);
  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await connection.close();
    await db.destroy();
  };
  return { server, stop };
}

if (require.main === module) {
  start()
    .then(({ stop }) => {
      const shutdown = () => void stop().then(() => process.exit(0), () => process.exit(1));
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((err) => {
      console.error('web failed:', err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
