/**
 * The indicators as a table (CSV or xlsx, server/platform/table-files.ts): one row per indicator and
 * unit, the school first and then each college the user may see, with the norm, the value, the
 * figures behind it, the verdict and where the norm is written.
 */
import { NORM_SOURCES, type UnitValue } from '../../../../domain/indicators';
import type { SessionUser } from '../../../platform/auth/context';
import { indicatorValueText, t } from '../../../platform/i18n';
import type { Table } from '../../../platform/table-files';
import { readIndicators, type IndicatorsDeps } from './read';

function figures(v: UnitValue): [number | null, number | null, number | null] {
  const f = v.figures;
  if (f.kind === 'rate') return [f.done, f.of, f.rate];
  if (f.kind === 'staffing') return [f.staff, f.students, null];
  return [null, null, null];
}

export async function indicatorsTable(
  deps: IndicatorsDeps,
  user: SessionUser,
  ask: { semester: unknown; lang: 'zh-CN' | 'en' },
): Promise<Table> {
  const view = await readIndicators(deps, user, ask.semester);
  const m = t(ask.lang).indicators;
  const c = m.columns;
  const name = new Map(view.colleges.map((x) => [x.id, ask.lang === 'en' ? x.nameEn : x.name]));
  const rows: Array<Array<string | number | null>> = [];
  for (const i of view.indicators) {
    const row = (unit: string, v: UnitValue) => [
      m.names[i.id],
      unit,
      m.norms[i.id],
      indicatorValueText(v, m),
      ...figures(v),
      m.verdicts[v.verdict],
      NORM_SOURCES[i.id],
    ];
    if (i.school) rows.push(row(m.schoolValue, i.school));
    for (const x of i.colleges) rows.push(row(name.get(x.collegeId) ?? x.collegeId, x.value));
  }
  return {
    sheet: m.sheet,
    file: m.file(view.semester.id),
    fileAscii: t('en').indicators.file(view.semester.id),
    columns: [
      { header: c.indicator, width: 30 },
      { header: c.unit, width: 24 },
      { header: c.norm, width: 40 },
      { header: c.value, width: 34 },
      { header: c.done, width: 14 },
      { header: c.of, width: 14 },
      { header: c.rate, width: 10, numFmt: '0.0%' },
      { header: c.verdict, width: 12 },
      { header: c.source, width: 40 },
    ],
    rows,
  };
}
