/**
 * bench:floor's worker process (see floor.ts): `node --import tsx bench/floor-worker.ts <address> <queue>`
 * runs floor-workflows.ts on SDK defaults and prints "floor worker: polling" once it polls; it stops on SIGTERM.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import path from 'node:path';

async function main(): Promise<void> {
  const [address, taskQueue] = process.argv.slice(2);
  if (!address || !taskQueue) {
    console.error('usage: node --import tsx bench/floor-worker.ts <address> <task queue>');
    process.exit(2);
  }
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGTERM', 'SIGINT'] });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: path.join(__dirname, 'floor-workflows.ts'),
  });
  const running = worker.run();
  console.log('floor worker: polling');
  await running;
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
