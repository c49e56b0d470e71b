/** npm run migrate: applies the knex migrations to the configured database. */
import { createKnex, describeDb, migrateLatest } from '../db/knex';
import { dbOptions, loadConfig } from '../server/platform/config/config';

async function run(): Promise<void> {
  const opts = dbOptions(loadConfig());
  const db = createKnex(opts);
  try {
    const applied = await migrateLatest(db);
    console.log(`migrate: ${describeDb(opts)}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
  } finally {
    await db.destroy();
  }
}

run().catch((err) => {
  console.error('migrate failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
