/**
 * The read model the dashboard queries, written by workflow activities only (docs/architecture.md):
 * semesters, task instances, the append-only audit log and notifications.
 * Every activity write is idempotent: audit_events.event_key is the idempotency key, and a
 * notification is unique per (event_key, recipient, channel).
 */
import type { Knex } from 'knex';

const SEMESTER_STATUSES = ['planned', 'running', 'closed'];
const TASK_STATUSES = ['planned', 'open', 'overdue', 'completed', 'waived'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('semesters', (t) => {
    t.text('id').primary();
    t.text('school_id').notNullable().references('id').inTable('schools');
    t.text('calendar_id').notNullable().references('id').inTable('calendars');
    t.text('template_id').notNullable();
    t.integer('template_version').notNullable();
    t.text('status').notNullable().defaultTo('planned').checkIn(SEMESTER_STATUSES);
    t.text('workflow_id').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('started_at').nullable();
    t.foreign(['template_id', 'template_version']).references(['id', 'version']).inTable('templates');
    t.index(['school_id']);
  });

  await knex.schema.createTable('task_instances', (t) => {
    t.text('id').primary(); // equals the task's Temporal workflow id
    t.text('semester_id').notNullable().references('id').inTable('semesters');
    t.text('college_id').notNullable().references('id').inTable('colleges');
    t.text('template_task_id').notNullable();
    t.text('occurrence').nullable(); // e.g. the week or holiday of a recurring task
    t.text('month').notNullable(); // YYYY-MM
    t.text('kind').notNullable();
    t.text('owner_role').notNullable();
    t.text('title_zh').notNullable();
    t.text('title_en').notNullable();
    t.bigInteger('open_at').notNullable();
    t.bigInteger('due_at').notNullable();
    t.text('status').notNullable().defaultTo('planned').checkIn(TASK_STATUSES);
    t.integer('escalation_level').notNullable().defaultTo(0);
    t.integer('reminders_sent').notNullable().defaultTo(0);
    t.bigInteger('completed_at').nullable();
    t.text('completed_by').nullable();
    t.boolean('late').notNullable().defaultTo(false);
    t.text('note').nullable();
    t.text('waived_reason').nullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['semester_id', 'college_id', 'month']);
    t.index(['college_id', 'status', 'due_at']);
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.increments('id').primary();
    t.text('event_key').notNullable().unique(); // idempotency key, e.g. "<workflowId>:<step>"
    t.text('subject_type').notNullable(); // task | semester | user | ...
    t.text('subject_id').notNullable();
    t.text('action').notNullable();
    t.text('actor').notNullable(); // 'timer', 'system' or a user id
    t.bigInteger('at').notNullable();
    t.text('details').nullable(); // JSON
    t.index(['subject_type', 'subject_id', 'at']);
  });

  await knex.schema.createTable('notifications', (t) => {
    t.increments('id').primary();
    t.text('event_key').notNullable(); // the audit event that caused it
    t.text('recipient_user_id').notNullable().references('id').inTable('users');
    t.text('channel').notNullable().defaultTo('inbox');
    t.text('kind').notNullable(); // reminder | overdue | escalation_l1 | escalation_l2 | ...
    t.text('subject_type').notNullable();
    t.text('subject_id').notNullable();
    t.text('title').notNullable();
    t.text('body').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('read_at').nullable();
    t.unique(['event_key', 'recipient_user_id', 'channel']);
    t.index(['recipient_user_id', 'read_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['notifications', 'audit_events', 'task_instances', 'semesters']) {
    await knex.schema.dropTableIfExists(table);
  }
}
