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

/** Every entry of the student's processes, oldest first; the same instant keeps the processes' order (warning, interview, key-care…). */
export function buildTimeline(r: ProcessRecords): TimelineEntry[] {
  const care = (anchor: string) => `/care?college=${encodeURIComponent(r.collegeId)}#${anchor}`;
  const out: TimelineEntry[] = [];
  const push = (e: TimelineEntry) => out.push(e);
  for (const w of r.warnings) {
    const ref = { type: 'screening' as const, id: w.id };
    const link = `/screening/warnings/${encodeURIComponent(w.id)}`;
    push({ at: w.importedAt, kind: 'screening-warning', ref, link, facts: { level: w.level } });
    if (w.interviewedAt !== null)
      push({
        at: w.interviewedAt,
        kind: 'interview',
        ref,
        link,
        facts: {
          assessment: w.assessment,
          needsCounselling: w.needsCounselling,
          needsCrisisIntervention: w.needsCrisisIntervention,
        },
      });
  }
  for (const c of r.crises) {
    const ref = { type: 'crisis' as const, id: c.id };
    const link = `/crises/${encodeURIComponent(c.id)}`;
    push({ at: c.reportedAt, kind: 'crisis-reported', ref, link, facts: { situation: c.situation } });
    if (c.handedOverAt !== null) push({ at: c.handedOverAt, kind: 'crisis-handed-over', ref, link, facts: {} });
    if (c.closedAt !== null) push({ at: c.closedAt, kind: 'crisis-closed', ref, link, facts: {} });
  }
  for (const k of r.keyCare) {
    const ref = { type: 'key-care' as const, id: k.id };
    push({
      at: k.addedAt,
      kind: 'key-care-added',
      ref,
      link: care('key-care'),
      facts: { source: k.source, plan: k.plan },
    });
    if (k.removedAt !== null)
      push({
        at: k.removedAt,
        kind: 'key-care-removed',
        ref,
        link: care('key-care'),
        facts: { reason: k.removedReason },
      });
  }
  for (const l of r.ledger) {
    const ref = { type: 'ledger' as const, id: l.id };
    push({
      at: l.createdAt,
      kind: 'ledger-entry',
      ref,
      link: care('ledger'),
      facts: { seq: l.seq, lifeSafety: l.lifeSafety, categories: l.categories.join(','), plan: l.plan },
    });
    for (const f of l.followUps)
      push({
        at: f.at,
        kind: 'ledger-follow-up',
        ref,
        link: care('ledger'),
        facts: { seq: l.seq, text: f.text, counselling: f.counselling, hospital: f.hospital },
      });
  }
  for (const p of r.pairings) {
    const ref = { type: 'pairing' as const, id: p.id };
    const link = care('pairings');
    push({ at: p.createdAt, kind: 'pairing-proposed', ref, link, facts: {} });
    if (p.startedAt !== null) push({ at: p.startedAt, kind: 'pairing-started', ref, link, facts: {} });
    for (const t of p.talks) push({ at: t.at, kind: 'pairing-talk', ref, link, facts: { note: t.note } });
    if (p.endedAt !== null) push({ at: p.endedAt, kind: 'pairing-ended', ref, link, facts: {} });
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
