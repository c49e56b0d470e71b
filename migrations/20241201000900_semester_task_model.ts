/**
 * Issue 11: how a semester's tasks run in Temporal, chosen when the semester is created and kept
 * until it ends (running semesters finish on the model they started with):
 *  - 'per-task' (default): one task workflow per task (workflows/task.ts);
 *  - 'ladder': one ladder workflow per college and semester that wakes once per distinct instant
 *    and moves every task due then in one transaction (workflows/college-ladder.ts).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('semesters', (t) => {
    t.text('task_model').notNullable().defaultTo('per-task').checkIn(['per-task', 'ladder']);
  });
}

export async function down(knex: Knex): Promise<void> {
  // the column's check goes with it (PostgreSQL drops it; SQLite rebuilds the table)
  await knex.schema.alterTable('semesters', (t) => {
    t.dropColumn('task_model');
  });
}
