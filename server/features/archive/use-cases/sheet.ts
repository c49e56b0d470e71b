/**
 * One student's archive laid out as seed 003 appendix 3 (赣南医学院学生心理健康档案, 二级学院存档), the one
 * layout of both hand-over exports, the .docx (export.ts) and the printable page (views/print.ts):
 * the personal table (姓名 学院 班级 性别 联系电话 对接老师 健康状况), family (父母关系 家庭气氛 家庭教育模式,
 * contacts), relationships (师生关系), the life events table (序号 时间 重要人物和事件经过), the
 * assessments (心理评估), the timeline of the care processes and the support given (心理帮扶情况).
 */
import { DateTime } from 'luxon';
import { lifeEventsOf } from '../../../../domain/archive';
import type { Lang } from '../../../platform/i18n';
import { t } from '../../../platform/i18n';
import type { ArchiveView } from './read';

/** One cell of a table: a label (bold in the .docx, a heading cell on the page) or a value; `span` columns wide. */
export interface SheetCell {
  text: string;
  label?: boolean;
  span?: number;
}

export interface ArchiveSheet {
  title: string;
  subtitle: string;
  /** the appendix's sections in its order, each one table */
  sections: Array<{ key: string; heading: string; rows: SheetCell[][] }>;
  /** "导出时间：2026-12-04 10:00" */
  exported: string;
}

const label = (text: string): SheetCell => ({ text, label: true });
const value = (text: string, span?: number): SheetCell => (span ? { text, span } : { text });

/** The archive in the appendix's layout, in `lang`, its instants in the school's `zone`, exported at `now`. */
export function archiveSheet(v: ArchiveView, lang: Lang, zone: string, now: number): ArchiveSheet {
  const m = t(lang).archive;
  const day = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd');
  const minute = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm');
  const f = (key: string) => v.fields[key] ?? '';
  const choice = (key: string) => {
    const chosen = v.fields[key];
    const shown = chosen ? (m.options[key]?.[chosen] ?? chosen) : '';
    return [shown, v.fields[`${key}Note`]].filter(Boolean).join('：');
  };
  const named = (key: string) => label(m.fields[key] ?? key);
  /** label–value rows, one per field */
  const pairs = (rows: Array<[string, string]>) => rows.map(([key, text]) => [named(key), value(text)]);
  const header = (...texts: string[]) => texts.map(label);
  const events = lifeEventsOf(v.fields.lifeEvents);
  const rows: Record<string, SheetCell[][]> = {
    personal: [
      [label(m.identity.name), value(v.student.name), label(m.identity.college), value(v.collegeName)],
      [label(m.identity.className), value(v.student.className ?? ''), named('gender'), value(choice('gender'))],
      [named('phone'), value(f('phone')), named('liaisonTeacher'), value(f('liaisonTeacher'))],
      [label(m.identity.studentNo), value(v.student.studentNo), label(m.openedAt), value(day(v.openedAt))],
      // the choice and its description (健康状况: 较差：…)
      [named('health'), value(choice('health'), 3)],
    ],
    family: pairs([
      ['parentsRelation', choice('parentsRelation')],
      ['familyAtmosphere', choice('familyAtmosphere')],
      ['parenting', choice('parenting')],
      ['familyContacts', f('familyContacts')],
    ]),
    relationships: pairs([
      ['teacherRelation', choice('teacherRelation')],
      ['peerRelations', f('peerRelations')],
    ]),
    lifeEvents: [
      header(m.seq, m.eventDate, m.eventText),
      ...(events.length ? events : [{ date: '', text: '' }]).map((e, i) => [
        value(String(i + 1)),
        value(e.date),
        value(e.text),
      ]),
    ],
    assessments: [
      header(m.when, m.what, m.detail),
      ...v.assessments.map((a) => [
        value(day(a.at)),
        value(m.assessmentSource[a.source] ?? a.source),
        value(m.assessmentValues[a.value] ?? a.value),
      ]),
    ],
    timeline: [
      header(m.when, m.what, m.detail),
      ...v.timeline.map((e) => [
        value(minute(e.at)),
        value(m.kinds[e.kind] ?? e.kind),
        value(timelineFacts(e.facts, lang)),
      ]),
    ],
    support: pairs([
      ['supportGiven', f('supportGiven')],
      ['supportOutcome', f('supportOutcome')],
    ]),
  };
  return {
    title: m.docTitle,
    subtitle: m.docSubtitle,
    sections: Object.entries(rows).map(([key, r]) => ({ key, heading: m.sections[key]!, rows: r })),
    exported: `${m.docExported}：${minute(now)}`,
  };
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
