/**
 * The crisis case's contract (workflows/crisis-case.ts): situation, durations, input and resume,
 * state, branch actions, the school departments to notify, and the Update/Query definitions. The
 * name strings are in every recorded history: never change them.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { StaffActor, SupervisionDurations, SupervisionState } from './supervision';

export type Situation = 'injury' | 'danger_to_others' | 'self_harm_risk';

export interface CrisisDurations extends SupervisionDurations {
  onSceneAckMs: number;
  schoolNotifyMs: number;
}

export interface CrisisInput {
  caseId: string;
  collegeId: string;
  situation: Situation;
  reportedAt: number;
  reportedBy: string;
  durations: CrisisDurations;
  /**
   * A case started again after its workflow was stopped outside the app (server/ended-workflows.ts):
   * the steps already taken, from the case's timeline. The new run starts with them done and waits
   * only for what is still open. Absent on a first start.
   */
  resume?: CrisisResume;
}

/** The steps of a case already taken before its workflow was stopped (see CrisisInput.resume). */
export interface CrisisResume {
  onSceneAt?: number;
  onSceneBy?: string;
  schoolNotifiedAt?: number;
  actions?: Array<{ action: BranchAction; at: number; by: string }>;
  escalationLevel?: 0 | 1 | 2;
  /** the supervision's state so far (a risk of self-harm): its run continues from it */
  supervision?: SupervisionState;
}

export type BranchAction = 'parents-authorised' | 'taken-to-hospital' | 'police-called';

export interface CrisisState {
  onSceneAt: number | null;
  onSceneBy: string | null;
  schoolNotifiedAt: number | null;
  actions: Array<{ action: BranchAction; at: number; by: string }>;
  escalationLevel: 0 | 1 | 2;
  supervision: SupervisionState | null;
  /** 五个一: a responsible leader, a team, a plan (一生一策) and follow-up talks */
  fiveOnes: { leaderUserId: string; team: string[]; plan: string; followUp: string } | null;
  closed: boolean;
}

export const acknowledgeOnSceneUpdate = defineUpdate<CrisisState, [{ actor: StaffActor }]>('acknowledgeOnScene');

export const confirmSchoolNotifiedUpdate = defineUpdate<CrisisState, [{ actor: StaffActor; departments: string[] }]>(
  'confirmSchoolNotified',
);

export const recordActionUpdate = defineUpdate<CrisisState, [{ actor: StaffActor; action: BranchAction }]>(
  'recordAction',
);

export const fiveOnesUpdate = defineUpdate<
  CrisisState,
  [{ actor: StaffActor; leaderUserId: string; team: string[]; plan: string; followUp: string }]
>('fiveOnes');

export const crisisStateQuery = defineQuery<CrisisState>('crisisState');

export const SCHOOL_DEPARTMENTS = ['counselling-centre', 'security-office', 'clinic'] as const;
