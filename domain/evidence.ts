/**
 * Evidence rules of a task (what a completion must carry). Pure and deterministic:
 * the task workflow's Update validator uses it, and so can the web layer before it calls.
 */
import type { Evidence, EvidenceSubmission } from '../contracts/checklist';

export type { EvidenceFile, EvidenceSubmission } from '../contracts/checklist';

/** The reasons a submission does not meet the rules, in words a user can act on; empty when it does. */
export function evidenceProblems(rules: Evidence, sub: EvidenceSubmission): string[] {
  const problems: string[] = [];
  if (rules.note === 'required' && !sub.note.trim()) problems.push('a note describing what was done is required');
  const notAccepted = sub.files.filter((f) => !rules.accept.includes(f.kind));
  if (notAccepted.length)
    problems.push(
      `file type not accepted here: ${[...new Set(notAccepted.map((f) => f.kind))].join(', ')} (accepted: ${rules.accept.join(', ')})`,
    );
  if (sub.files.length < rules.minFiles)
    problems.push(`at least ${rules.minFiles} file(s) are required, ${sub.files.length} given`);
  for (const doc of rules.documents) {
    if (!sub.files.some((f) => f.documentId === doc.id))
      problems.push(`the ${doc.en} (${doc.zh}) document is required`);
  }
  if (rules.minPhotosPerActivity) {
    const activities = sub.activities ?? 0;
    if (activities < 1) problems.push('report how many activities were held (at least one)');
    for (let a = 1; a <= activities; a++) {
      const photos = sub.files.filter((f) => f.kind === 'image' && f.activity === a).length;
      if (photos < rules.minPhotosPerActivity)
        problems.push(`activity ${a} needs at least ${rules.minPhotosPerActivity} photos, ${photos} given`);
    }
  }
  return problems;
}
