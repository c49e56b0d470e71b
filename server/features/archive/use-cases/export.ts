/**
 * One student's archive for the hand-over when a student transfers or graduates, in appendix 3's
 * layout (sheet.ts): as a .docx, or as the printable page that the browser prints or saves as a PDF
 * in the font the app ships. Both are one export: allowed to the roles that see the archive, and
 * audited as "exported" with the format.
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
import type { Lang } from '../../../platform/i18n';
import type { SessionUser } from '../../../platform/auth/context';
import { auditArchive, type ArchiveDeps } from './common';
import { loadArchive, type ArchiveView } from './read';
import { archiveSheet, type ArchiveSheet, type SheetCell } from './sheet';

const FONT = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '宋体', cs: 'Times New Roman' };
const run = (text: string, bold = false) => new TextRun({ text, bold, font: FONT, size: 21 });
const para = (text: string, bold = false) => new Paragraph({ children: [run(text, bold)] });
const cell = (c: SheetCell) =>
  new TableCell({
    columnSpan: c.span,
    children: String(c.text || ' ')
      .split('\n')
      .map((line) => para(line, c.label)),
  });
const table = (rows: SheetCell[][]) =>
  new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: rows.map((r) => new TableRow({ children: r.map(cell) })),
  });
const heading = (text: string) =>
  new Paragraph({
    heading: HeadingLevel.HEADING_2,
    children: [new TextRun({ text, bold: true, font: FONT, size: 24 })],
  });

export type ExportFormat = 'docx' | 'print';

/**
 * The one rule and audit of an export: the archive as the user may see it, rendered, then audited as
 * "exported" in `format` (a refused or failed export is not audited).
 */
async function exportArchive<T>(
  deps: ArchiveDeps,
  user: SessionUser,
  studentId: string,
  format: ExportFormat,
  render: (view: ArchiveView) => T | Promise<T>,
): Promise<T> {
  const view = await loadArchive(deps, user, studentId);
  const out = await render(view);
  await auditArchive(deps, user.id, view.student.id, 'exported', { format });
  return out;
}

/** The archive as .docx bytes (audited as "exported", format docx). */
export async function exportArchiveDocx(
  deps: ArchiveDeps,
  user: SessionUser,
  studentId: string,
  lang: Lang,
  zone: string,
): Promise<{ file: Buffer; fileName: string }> {
  return exportArchive(deps, user, studentId, 'docx', async (view) => ({
    file: await Packer.toBuffer(archiveDocument(archiveSheet(view, lang, zone, deps.now), view.student.studentNo)),
    fileName: `${view.student.studentNo}-${view.student.name}.docx`,
  }));
}

/** The archive for its printable page (audited as "exported", format print): the sheet and the student's name. */
export async function printArchive(
  deps: ArchiveDeps,
  user: SessionUser,
  studentId: string,
  lang: Lang,
  zone: string,
): Promise<{ sheet: ArchiveSheet; student: ArchiveView['student'] }> {
  return exportArchive(deps, user, studentId, 'print', (view) => ({
    sheet: archiveSheet(view, lang, zone, deps.now),
    student: view.student,
  }));
}

function archiveDocument(sheet: ArchiveSheet, studentNo: string): Document {
  return new Document({
    creator: 'runxin-duty-tracker',
    title: `${sheet.title} ${studentNo}`,
    styles: { default: { document: { run: { font: FONT, size: 21 } } } },
    sections: [
      {
        children: [
          new Paragraph({
            alignment: AlignmentType.CENTER,
            children: [new TextRun({ text: sheet.title, bold: true, font: FONT, size: 32 })],
          }),
          new Paragraph({ alignment: AlignmentType.CENTER, children: [run(sheet.subtitle)] }),
          ...sheet.sections.flatMap((s) => [heading(s.heading), table(s.rows)]),
          para(sheet.exported),
        ],
      },
    ],
  });
}
