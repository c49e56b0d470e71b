/**
 * The worker process: polls the task queue and runs workflows/ and activities/.
 */
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createKnex, migrateLatest } from '../db/knex';
import { createStore, type Store } from '../db/store';
import { dbOptions, loadConfig } from './config';

export async function createWorker(deps: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  store: Store;
  workflowBundle?: WorkflowBundleWithSourceMap;
}): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts') }),
    activities: createActivities({ store: deps.store }),
  });
}

async function run(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger(config.NODE_ENV === 'development' ? 'WARN' : 'INFO') });
  const db = createKnex(dbOptions(config));
  let connection: NativeConnection | undefined;
  try {
    await migrateLatest(db);
    connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    const worker = await createWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, store: createStore(db) });
    console.log(`worker: polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
    await worker.run(); // Worker installs SIGINT/SIGTERM handlers and drains on shutdown
  } finally {
    await connection?.close();
    await db.destroy();
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error('worker failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
