/**
 * Student care (docs/domain.md §4, seed 003 §4, §8 and appendices 4 and 5), and the school's care
 * settings:
 *  - care_settings: the durations of the crisis, screening and pairing procedures, per school
 *    (JSON validated by domain/care.ts; absent: the docs/domain.md defaults);
 *  - key_care_entries: the key-care list (重点关爱库) per college, with the reasons (the month's
 *    key-care groups of the checklist) and the one-student-one-plan (一生一策);
 *  - ledger_entries / ledger_follow_ups: the intervention ledger (心理干预台账), appendix 4's
 *    columns, with its monthly follow-ups (跟踪情况);
 *  - pairings: teacher ↔ student (结对帮扶, appendix 5); a proposed pairing has no teacher yet.
 * Students are referred to by their opaque id; the text columns hold sensitive data and are
 * shown only to the college's care staff and the counselling centre, every read audited.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('care_settings', (t) => {
    t.text('school_id').primary().references('id').inTable('schools');
    t.text('body').notNullable(); // JSON
    t.text('updated_by').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.alterTable('crisis_cases', (t) => {
    t.text('durations').nullable(); // JSON: the durations the case runs with (the school's settings when reported)
    t.text('reported_name').nullable(); // the name as reported, when it differs from the student number's registered name
  });
  await knex.schema.createTable('key_care_entries', (t) => {
    t.text('id').primary();
    t.text('student_id').notNullable().references('id').inTable('students');
    t.text('college_id').notNullable().references('id').inTable('colleges');
    t.text('reasons').notNullable(); // JSON array of { month, group, zh } or { other }
    t.text('plan').notNullable().defaultTo(''); // 一生一策
    t.text('source').notNullable().checkIn(['manual', 'screening', 'crisis']);
    t.text('source_id').nullable();
    t.text('status').notNullable().defaultTo('active').checkIn(['active', 'removed']);
    t.text('added_by').notNullable();
    t.bigInteger('added_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('removed_at').nullable();
    t.text('removed_by').nullable();
    t.text('removed_reason').nullable();
    t.index(['college_id', 'status']);
    t.index(['student_id', 'status']);
  });
  await knex.schema.createTable('ledger_entries', (t) => {
    t.text('id').primary();
    t.text('student_id').notNullable().references('id').inTable('students');
    t.text('college_id').notNullable().references('id').inTable('colleges');
    t.integer('seq').notNullable(); // 序号, per college
    t.text('gender').nullable(); // 性别
    t.text('major_class').nullable(); // 专业班级
    t.text('contact').nullable(); // 联系方式
    t.bigInteger('interview_at').nullable(); // 约谈时间
    t.text('categories').notNullable().defaultTo('[]'); // 问题分类, JSON array
    t.boolean('life_safety').notNullable().defaultTo(false); // 是否涉及生命安全
    t.text('description').notNullable().defaultTo(''); // 主要情况描述
    t.text('liaison_user_id').nullable(); // 对接老师
    t.text('plan').notNullable().defaultTo(''); // 干预计划
    t.text('source').notNullable().checkIn(['manual', 'screening', 'crisis']);
    t.text('source_id').nullable();
    t.text('status').notNullable().defaultTo('active').checkIn(['active', 'closed']);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['college_id', 'seq']);
    t.index(['student_id', 'status']);
  });
  await knex.schema.createTable('ledger_follow_ups', (t) => {
    t.text('id').primary();
    t.text('entry_id').notNullable().references('id').inTable('ledger_entries');
    t.bigInteger('at').notNullable();
    t.text('by').notNullable();
    t.text('text').notNullable(); // 跟踪情况
    t.boolean('counselling').notNullable().defaultTo(false); // 是否心理咨询
    t.boolean('hospital').notNullable().defaultTo(false); // 是否就医
    t.index(['entry_id', 'at']);
  });
  await knex.schema.createTable('pairings', (t) => {
    t.text('id').primary(); // opaque id, also the workflow id suffix (pairing.<id>)
    t.text('college_id').notNullable().references('id').inTable('colleges');
    t.text('student_id').notNullable().references('id').inTable('students');
    t.text('teacher_user_id').nullable().references('id').inTable('users'); // null while proposed
    t.text('status').notNullable().defaultTo('proposed').checkIn(['proposed', 'active', 'ended']);
    t.text('source').notNullable().checkIn(['manual', 'screening', 'crisis']);
    t.text('source_id').nullable();
    t.text('override_reason').nullable(); // the school admin's reason for a teacher's sixth or later student
    t.text('created_by').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('started_at').nullable();
    t.bigInteger('last_talk_at').nullable();
    t.bigInteger('talk_every_ms').nullable(); // the clock its workflow runs with (the school's setting when paired)
    t.integer('escalation_level').notNullable().defaultTo(0);
    t.bigInteger('ended_at').nullable();
    t.text('ended_reason').nullable();
    t.index(['college_id', 'status']);
    t.index(['teacher_user_id', 'status']);
    t.index(['student_id', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('pairings');
  await knex.schema.dropTableIfExists('ledger_follow_ups');
  await knex.schema.dropTableIfExists('ledger_entries');
  await knex.schema.dropTableIfExists('key_care_entries');
  await knex.schema.alterTable('crisis_cases', (t) => {
    t.dropColumn('reported_name');
    t.dropColumn('durations');
  });
  await knex.schema.dropTableIfExists('care_settings');
}
