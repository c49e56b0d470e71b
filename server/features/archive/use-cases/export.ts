/**
 * One student's archive as a .docx in appendix 3's layout (赣南医学院学生心理健康档案, 二级学院存档),
 * for the hand-over when a student transfers or graduates: the personal table (姓名 学院 班级 性别
 * 联系电话 对接老师 健康状况), family (父母关系 家庭气氛 家庭教育模式, contacts), relationships (师生关系),
 * the life events table (序号 时间 重要人物和事件经过), the assessments (心理评估), the timeline of the
 * care processes and the support given (心理帮扶情况). Allowed to the roles that see the archive;
 * every export is audited.
 *
 * The font: Word cannot embed the app's WOFF2 print font, so the runs name the CJK font by its
 * Word names: 宋体 (SimSun) for East Asian text, present on every Chinese Windows and in WPS, and
 * mapped by macOS Pages/Word to Songti SC; Latin text in Times New Roman.
 */
import {
  AlignmentType,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { DateTime } from 'luxon';
import { lifeEventsOf } from '../../../../domain/archive';
import type { Lang } from '../../../platform/i18n';
import { t } from '../../../platform/i18n';
import type { SessionUser } from '../../../platform/auth/context';
import { auditArchive, type ArchiveDeps } from './common';
import { loadArchive, type ArchiveView } from './read';

const FONT = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '宋体', cs: 'Times New Roman' };
const run = (text: string, bold = false) => new TextRun({ text, bold, font: FONT, size: 21 });
const para = (text: string, bold = false) => new Paragraph({ children: [run(text, bold)] });
const cell = (text: string, opts: { bold?: boolean; span?: number } = {}) =>
  new TableCell({
    columnSpan: opts.span,
    children: String(text || ' ')
      .split('\n')
      .map((line) => para(line, opts.bold)),
  });
const table = (rows: TableCell[][]) =>
  new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: rows.map((children) => new TableRow({ children })),
  });
const heading = (text: string) =>
  new Paragraph({
    heading: HeadingLevel.HEADING_2,
    children: [new TextRun({ text, bold: true, font: FONT, size: 24 })],
  });

/** The archive as .docx bytes (audited as "exported"). */
export async function exportArchiveDocx(
  deps: ArchiveDeps,
  user: SessionUser,
  studentId: string,
  lang: Lang,
  zone: string,
): Promise<{ file: Buffer; fileName: string }> {
  const view = await loadArchive(deps, user, studentId);
  const file = await Packer.toBuffer(archiveDocument(view, lang, zone, deps.now));
  await auditArchive(deps, user.id, view.student.id, 'exported', { format: 'docx' });
  return { file, fileName: `${view.student.studentNo}-${view.student.name}.docx` };
}

function archiveDocument(v: ArchiveView, lang: Lang, zone: string, now: number): Document {
  const m = t(lang).archive;
  const day = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd');
  const minute = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm');
  const f = (key: string) => v.fields[key] ?? '';
  const choice = (key: string) => {
    const value = v.fields[key];
    const note = v.fields[`${key}Note`];
    const shown = value ? (m.options[key]?.[value] ?? value) : '';
    return [shown, note].filter(Boolean).join('：');
  };
  const label = (key: string) => m.fields[key] ?? key;
  const events = lifeEventsOf(v.fields.lifeEvents);
  const personal = table([
    [
      cell(m.identity.name, { bold: true }),
      cell(v.student.name),
      cell(m.identity.college, { bold: true }),
      cell(v.collegeName),
    ],
    [
      cell(m.identity.className, { bold: true }),
      cell(v.student.className ?? ''),
      cell(label('gender'), { bold: true }),
      cell(choice('gender')),
    ],
    [
      cell(label('phone'), { bold: true }),
      cell(f('phone')),
      cell(label('liaisonTeacher'), { bold: true }),
      cell(f('liaisonTeacher')),
    ],
    [
      cell(m.identity.studentNo, { bold: true }),
      cell(v.student.studentNo),
      cell(m.openedAt, { bold: true }),
      cell(day(v.openedAt)),
    ],
    [
      cell(label('health'), { bold: true }),
      cell([choice('health'), f('healthNote')].filter(Boolean).join('：'), { span: 3 }),
    ],
  ]);
  const family = table(
    ['parentsRelation', 'familyAtmosphere', 'parenting']
      .map((k) => [cell(label(k), { bold: true }), cell(choice(k))])
      .concat([[cell(label('familyContacts'), { bold: true }), cell(f('familyContacts'))]]),
  );
  const relations = table([
    [cell(label('teacherRelation'), { bold: true }), cell(choice('teacherRelation'))],
    [cell(label('peerRelations'), { bold: true }), cell(f('peerRelations'))],
  ]);
  const lifeEvents = table([
    [cell(m.seq, { bold: true }), cell(m.eventDate, { bold: true }), cell(m.eventText, { bold: true })],
    ...(events.length ? events : [{ date: '', text: '' }]).map((e, i) => [
      cell(String(i + 1)),
      cell(e.date),
      cell(e.text),
    ]),
  ]);
  const assessments = table([
    [cell(m.when, { bold: true }), cell(m.what, { bold: true }), cell(m.detail, { bold: true })],
    ...v.assessments.map((a) => [
      cell(day(a.at)),
      cell(m.assessmentSource[a.source] ?? a.source),
      cell(m.assessmentValues[a.value] ?? a.value),
    ]),
  ]);
  const timeline = table([
    [cell(m.when, { bold: true }), cell(m.what, { bold: true }), cell(m.detail, { bold: true })],
    ...v.timeline.map((e) => [cell(minute(e.at)), cell(m.kinds[e.kind] ?? e.kind), cell(timelineFacts(e.facts, lang))]),
  ]);
  const support = table([
    [cell(label('supportGiven'), { bold: true }), cell(f('supportGiven'))],
    [cell(label('supportOutcome'), { bold: true }), cell(f('supportOutcome'))],
  ]);
  const s = m.sections;
  return new Document({
    creator: 'runxin-duty-tracker',
    title: `${m.docTitle} ${v.student.studentNo}`,
    styles: { default: { document: { run: { font: FONT, size: 21 } } } },
    sections: [
      {
        children: [
          new Paragraph({
            alignment: AlignmentType.CENTER,
            children: [new TextRun({ text: m.docTitle, bold: true, font: FONT, size: 32 })],
          }),
          new Paragraph({ alignment: AlignmentType.CENTER, children: [run(m.docSubtitle)] }),
          heading(s.personal!),
          personal,
          heading(s.family!),
          family,
          heading(s.relationships!),
          relations,
          heading(s.lifeEvents!),
          lifeEvents,
          heading(s.assessments!),
          assessments,
          heading(s.timeline!),
          timeline,
          heading(s.support!),
          support,
          para(`${m.docExported}：${minute(now)}`),
        ],
      },
    ],
  });
}

/** An entry's facts in words (codes through the catalogue, free text as written). */
export function timelineFacts(facts: Record<string, string | number | boolean | null>, lang: Lang): string {
  const m = t(lang).archive;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(facts)) {
    if (v === null || v === '' || v === false) continue;
    if (k === 'level' || k === 'assessment') parts.push(m.assessmentValues[String(v)] ?? String(v));
    else if (k === 'seq') parts.push(`${m.seq} ${v}`);
    else if (v === true) parts.push(lang === 'en' ? k : (BOOL_ZH[k] ?? k));
    else if (k === 'situation') parts.push(t(lang).notifications.crisis.situations[String(v)] ?? String(v));
    else parts.push(String(v));
  }
  return parts.join('；');
}

const BOOL_ZH: Record<string, string> = {
  needsCounselling: '需要咨询',
  needsCrisisIntervention: '需要危机干预',
  lifeSafety: '涉及生命安全',
  counselling: '心理咨询',
  hospital: '就医',
};
