/** The options and results of a semester simulation (simulation/run.ts). */
import type { PlannedTask } from '../domain/planner';
import type { Policy } from './policy';

export interface SimulationOptions {
  calendarFile: string;
  templateFile: string;
  colleges: number;
  /** cycled over the colleges */
  policies: Policy[];
  /** write the histories of a few workflows here (replay-test fixtures) */
  captureHistoriesDir?: string;
  /** the semester's task model (ADR 0005); default per-task */
  model?: 'per-task' | 'ladder';
}

export interface MonthSummary {
  month: string;
  planned: number;
  onTime: number;
  late: number;
  open: number;
  escalatedL1: number;
  escalatedL2: number;
  reminders: number;
}

export interface TimelineEvent {
  /** the calendar's own instant (epoch ms), shifted back */
  at: number;
  local: string;
  college: string;
  taskId: string;
  action: string;
  actor: string;
}

export interface SimulationResult {
  timezone: string;
  colleges: Array<{ college: string; policy: string; months: MonthSummary[] }>;
  timeline: TimelineEvent[];
  /** the plan the run was checked against (calendar instants) */
  plan: PlannedTask[];
  wallMs: number;
}
