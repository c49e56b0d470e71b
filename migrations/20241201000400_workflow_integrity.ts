/**
 * The Temporal side door (issue 10, findings 3 and 4):
 *  - task_instances and crisis_cases: `workflow_ended_at` / `workflow_end_status` mark a task or
 *    case whose workflow ended without the app closing it (terminated or cancelled from the
 *    Temporal Web UI or CLI, or failed); the school admin sees them at /admin/workflows/ended and
 *    may start them again. Cleared when the workflow is started again.
 *  - workflow_signing: the instant signing was introduced here. Workflows first started before it
 *    carry no start proof and are accepted as the app's own (legacy); an unsigned workflow started
 *    after it is not the app's, and its activities write nothing.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  for (const table of ['task_instances', 'crisis_cases']) {
    await knex.schema.alterTable(table, (t) => {
      t.bigInteger('workflow_ended_at').nullable();
      t.text('workflow_end_status').nullable();
    });
  }
  await knex.schema.createTable('workflow_signing', (t) => {
    t.integer('id').primary();
    t.bigInteger('legacy_before').notNullable();
  });
  await knex('workflow_signing').insert({ id: 1, legacy_before: Date.now() });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('workflow_signing');
  for (const table of ['task_instances', 'crisis_cases']) {
    await knex.schema.alterTable(table, (t) => {
      t.dropColumn('workflow_ended_at');
      t.dropColumn('workflow_end_status');
    });
  }
}
