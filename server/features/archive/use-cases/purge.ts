/**
 * The purge as the timer runs it (activities/purge-archive.ts), callable by tools and tests with an
 * explicit instant: a closed archive whose retention is over at `now` is purged with the student's
 * personal data; otherwise nothing happens and the answer says when it would be due.
 */
import type { Knex } from 'knex';
import { purgeIfDue } from '../../../../activities/purge-archive';

export async function purgeArchiveNow(deps: { knex: Knex; now: number }, studentId: string, by = 'timer') {
  return purgeIfDue(deps.knex, studentId, deps.now, by);
}
