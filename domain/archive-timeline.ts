/**
 * The archive's process sections (seed 003 appendix 3, issue 16 part 1): every screening result,
 * interview record, crisis case, key-care period, ledger entry and follow-up, and pairing talk of
 * one student, in ONE timeline, read from the processes' own records (no double entry). Pure: the
 * repository hands over the rows, this orders them and gives each entry its kind and its link.
 */

export const TIMELINE_KINDS = [
  'screening-warning',
  'interview',
  'key-care-added',
  'ledger-entry',
  'ledger-follow-up',
  'crisis-reported',
  'crisis-handed-over',
  'crisis-closed',
  'pairing-proposed',
  'pairing-started',
  'pairing-talk',
  'pairing-ended',
  'key-care-removed',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  at: number;
  kind: TimelineKind;
  /** the process record it comes from: its table's subject and opaque id */
  ref: { type: 'screening' | 'crisis' | 'key-care' | 'ledger' | 'pairing'; id: string };
  /** the page that shows the record */
  link: string;
  /** codes and short facts for the page (level, assessment, status…); free text only where the record holds it */
  facts: Record<string, string | number | boolean | null>;
}

/** The process records of one student, as the repository reads them. */
export interface ProcessRecords {
  collegeId: string;
  warnings: Array<{
    id: string;
    level: string;
    importedAt: number;
    status: string;
    interviewedAt: number | null;
    assessment: string | null;
    needsCounselling: boolean | null;
    needsCrisisIntervention: boolean | null;
  }>;
  crises: Array<{
    id: string;
    situation: string;
    reportedAt: number;
    status: string;
    handedOverAt: number | null;
    closedAt: number | null;
  }>;
  keyCare: Array<{
    id: string;
    source: string;
    addedAt: number;
    plan: string;
    status: string;
    removedAt: number | null;
    removedReason: string | null;
  }>;
  ledger: Array<{
    id: string;
    seq: number;
    createdAt: number;
    lifeSafety: boolean;
    categories: string[];
    plan: string;
    status: string;
    followUps: Array<{ id: string; at: number; text: string; counselling: boolean; hospital: boolean }>;
  }>;
  pairings: Array<{
    id: string;
    status: string;
    createdAt: number;
    startedAt: number | null;
    endedAt: number | null;
    talks: Array<{ at: number; note: string }>;
  }>;
}

const ORDER = new Map(TIMELINE_KINDS.map((k, i) => [k, i]));

type Facts = TimelineEntry['facts'];

/** Every entry of the student's processes, oldest first; the same instant keeps the processes' order (warning, interview, key-care…). */
export function buildTimeline(r: ProcessRecords): TimelineEntry[] {
  const care = (anchor: string) => `/care?college=${encodeURIComponent(r.collegeId)}#${anchor}`;
  const out: TimelineEntry[] = [];
  /** the entries of one process record: each at its instant, none when that step has not happened */
  const of =
    (ref: TimelineEntry['ref'], link: string) =>
    (at: number | null, kind: TimelineKind, facts: Facts = {}): void =>
      void (at !== null && out.push({ at, kind, ref, link, facts }));
  for (const w of r.warnings) {
    const entry = of({ type: 'screening', id: w.id }, `/screening/warnings/${encodeURIComponent(w.id)}`);
    entry(w.importedAt, 'screening-warning', { level: w.level });
    entry(w.interviewedAt, 'interview', {
      assessment: w.assessment,
      needsCounselling: w.needsCounselling,
      needsCrisisIntervention: w.needsCrisisIntervention,
    });
  }
  for (const c of r.crises) {
    const entry = of({ type: 'crisis', id: c.id }, `/crises/${encodeURIComponent(c.id)}`);
    entry(c.reportedAt, 'crisis-reported', { situation: c.situation });
    entry(c.handedOverAt, 'crisis-handed-over');
    entry(c.closedAt, 'crisis-closed');
  }
  for (const k of r.keyCare) {
    const entry = of({ type: 'key-care', id: k.id }, care('key-care'));
    entry(k.addedAt, 'key-care-added', { source: k.source, plan: k.plan });
    entry(k.removedAt, 'key-care-removed', { reason: k.removedReason });
  }
  for (const l of r.ledger) {
    const entry = of({ type: 'ledger', id: l.id }, care('ledger'));
    entry(l.createdAt, 'ledger-entry', {
      seq: l.seq,
      lifeSafety: l.lifeSafety,
      categories: l.categories.join(','),
      plan: l.plan,
    });
    for (const f of l.followUps)
      entry(f.at, 'ledger-follow-up', { seq: l.seq, text: f.text, counselling: f.counselling, hospital: f.hospital });
  }
  for (const p of r.pairings) {
    const entry = of({ type: 'pairing', id: p.id }, care('pairings'));
    entry(p.createdAt, 'pairing-proposed');
    entry(p.startedAt, 'pairing-started');
    for (const t of p.talks) entry(t.at, 'pairing-talk', { note: t.note });
    entry(p.endedAt, 'pairing-ended');
  }
  return out.sort((a, b) => a.at - b.at || ORDER.get(a.kind)! - ORDER.get(b.kind)!);
}

/** The assessments over time (心理评估): each screening result and each interview's five-point assessment. */
export function assessmentsOf(
  r: ProcessRecords,
): Array<{ at: number; source: 'screening' | 'interview'; value: string }> {
  return r.warnings
    .flatMap((w) => [
      { at: w.importedAt, source: 'screening' as const, value: w.level },
      ...(w.interviewedAt !== null && w.assessment
        ? [{ at: w.interviewedAt, source: 'interview' as const, value: w.assessment }]
        : []),
    ])
    .sort((a, b) => a.at - b.at);
}

/** When the archive opened: the student's first entry into any care process (null: none yet, no archive). */
export const archiveOpenedAt = (timeline: TimelineEntry[]): number | null => timeline[0]?.at ?? null;
