/**
 * The demo school's staff as the use cases and workflows see them (user id, role, college), and a
 * check that an action is refused.
 */
import { expect } from 'vitest';
import type { SessionUser } from '../../server/platform/auth/context';

export const admin = { userId: 'admin', role: 'school_admin' as const, collegeId: null };
export const counsellor = { userId: 'literature-counsellor', role: 'counsellor' as const, collegeId: 'literature' };
export const otherCounsellor = { userId: 'science-counsellor', role: 'counsellor' as const, collegeId: 'science' };
export const teacher = { userId: 'literature-class-teacher', role: 'class_teacher' as const, collegeId: 'literature' };
export const leader = { userId: 'literature-college-leader', role: 'college_leader' as const, collegeId: 'literature' };
export const otherLeader = { userId: 'science-college-leader', role: 'college_leader' as const, collegeId: 'science' };

/** The message of the error `p` is rejected with, which must be a `kind`; fails if `p` succeeds. */
export async function refusal(p: Promise<unknown>, kind: abstract new (...a: never[]) => Error): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(kind);
    return (e as Error).message;
  }
  throw new Error('was accepted');
}

/** A signed-in user of the demo school as the web use cases get it (username = id). */
export const sessionUser = <R extends string>(
  username: string,
  role: R,
  collegeId: string | null,
  displayName = 'x',
) => ({
  id: username,
  username,
  displayName,
  role,
  collegeId,
  schoolId: 'demo-school',
});

/** A signed-in staff member of the demo school whose display name is their user id. */
export const staffUser = (id: string, role: SessionUser['role'], collegeId: string | null): SessionUser => ({
  id,
  username: id,
  displayName: id,
  role,
  collegeId,
  schoolId: 'demo-school',
});
