/**
 * The screening follow-up's contract (workflows/screening-follow-up.ts): the warning level, the
 * interview record (its five steps and the assessments), input, state and the Update/Query
 * definitions. The name strings are in every recorded history: never change them.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { StaffActor } from './supervision';

export type WarningLevel = 'red' | 'orange';

/** The five steps of the interview outline (seed 003 appendix 1), in order. */
export const INTERVIEW_STEPS = ['rapport', 'emotions', 'socialFunctioning', 'coping', 'riskOfExtremeThoughts'] as const;

/** 心理评估 (appendix 2): 正常 / 轻微心理困扰 / 严重心理困扰 / 特别严重 / 高危人群 */
export const ASSESSMENTS = ['normal', 'mild', 'severe', 'very_severe', 'high_risk'] as const;

export type Assessment = (typeof ASSESSMENTS)[number];

/** The interview record (约谈情况记录表, seed 003 appendix 2). */
export interface InterviewRecord {
  rapport: string;
  emotions: string;
  socialFunctioning: string;
  coping: string;
  riskOfExtremeThoughts: string;
  assessment: Assessment;
  /** 是否需要咨询 */
  needsCounselling: boolean;
  /** 是否需要心理危机干预 */
  needsCrisisIntervention: boolean;
}

export interface ScreeningInput {
  warningId: string;
  collegeId: string;
  level: WarningLevel;
  importedAt: number;
  dueAt: number;
  /** default 1 day */
  reminderBeforeMs?: number;
  /** after the level-1 escalation at dueAt, escalate to the school; default 2 days */
  schoolAfterMs?: number;
}

export interface ScreeningState {
  warningId: string;
  status: 'open' | 'interviewed';
  escalationLevel: 0 | 1 | 2;
  remindersSent: number;
  dueAt: number;
  interviewedAt: number | null;
  interviewedBy: string | null;
  assessment: Assessment | null;
  proposedForKeyCare: boolean;
}

export const recordInterviewUpdate = defineUpdate<ScreeningState, [{ actor: StaffActor; record: InterviewRecord }]>(
  'recordInterview',
);

export const screeningStateQuery = defineQuery<ScreeningState>('screeningState');
