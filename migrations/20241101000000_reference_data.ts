/**
 * Reference data (docs/architecture.md "Who owns which truth"): the school, its colleges, users and roles,
 * checklist templates and semester calendars. Portable between SQLite and PostgreSQL.
 * Instants are epoch milliseconds in bigint columns; db/knex.ts makes pg return them as numbers.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('schools', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('name_en').notNullable();
    t.text('timezone').notNullable(); // IANA zone, e.g. Asia/Shanghai
    t.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('colleges', (t) => {
    t.text('id').primary();
    t.text('school_id').notNullable().references('id').inTable('schools');
    t.text('name').notNullable();
    t.text('name_en').notNullable();
    t.integer('sort_order').notNullable().defaultTo(0);
    t.boolean('active').notNullable().defaultTo(true);
    t.bigInteger('created_at').notNullable();
    t.unique(['school_id', 'name']);
  });

  await knex.schema.createTable('users', (t) => {
    t.text('id').primary();
    t.text('school_id').notNullable().references('id').inTable('schools');
    t.text('college_id').nullable().references('id').inTable('colleges');
    t.text('username').notNullable().unique();
    t.text('display_name').notNullable();
    // school_admin | college_leader | psych_counsellor | counsellor | class_teacher.
    // Validated by the application (domain/schema.ts ROLES), not by a CHECK, so that adding a
    // role later does not force a table rebuild on SQLite.
    t.text('role').notNullable();
    t.text('email').nullable();
    t.text('password_hash').nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.bigInteger('created_at').notNullable();
    t.index(['school_id', 'college_id', 'role']);
  });

  // A template version is immutable once saved: semesters reference (id, version).
  await knex.schema.createTable('templates', (t) => {
    t.text('id').notNullable();
    t.integer('version').notNullable();
    t.text('kind').notNullable();
    t.text('title_zh').notNullable();
    t.text('title_en').notNullable();
    t.text('body').notNullable(); // the template JSON
    t.text('sha256').notNullable(); // of body
    t.bigInteger('created_at').notNullable();
    t.primary(['id', 'version']);
  });

  await knex.schema.createTable('calendars', (t) => {
    t.text('id').primary();
    t.text('name_zh').notNullable();
    t.text('body').notNullable(); // the calendar JSON
    t.text('sha256').notNullable();
    t.bigInteger('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['calendars', 'templates', 'users', 'colleges', 'schools']) {
    await knex.schema.dropTableIfExists(table);
  }
}
