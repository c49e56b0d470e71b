/**
 * Server-rendered SVG charts for the leaders' overview (no CDN, no library): completion per month
 * as bars with the semester's running completion as a line (the trend), and the colleges ranked by
 * completion as horizontal bars. Every number is also in the page's tables; the charts carry a
 * <title> and an aria-label for screen readers.
 */
import { esc, raw, type Raw } from '../html';

export interface MonthPoint {
  label: string;
  /** completion in percent this month, null when nothing was done or due */
  rate: number | null;
  /** completion in percent from the semester's start to this month's end, null as above */
  cumulative: number | null;
}

const W = 640;
const H = 240;
const PAD = { top: 16, right: 12, bottom: 36, left: 40 };

/** Bars: each month's completion; line: the running completion over the semester (trend). */
export function monthChart(
  points: MonthPoint[],
  words: { title: string; month: string; trend: string; none: string },
): Raw {
  const n = Math.max(points.length, 1);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / n;
  const bw = Math.min(48, slot * 0.6);
  const y = (p: number) => PAD.top + plotH - (p / 100) * plotH;
  const grid = [0, 25, 50, 75, 100]
    .map(
      (p) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(p)}" y2="${y(p)}" class="grid"/><text x="${PAD.left - 6}" y="${y(p) + 4}" text-anchor="end" class="axis">${p}%</text>`,
    )
    .join('');
  const bars = points
    .map((pt, i) => {
      const cx = PAD.left + slot * i + slot / 2;
      const label = `<text x="${cx}" y="${H - PAD.bottom + 16}" text-anchor="middle" class="axis">${esc(pt.label)}</text>`;
      if (pt.rate === null)
        return `${label}<text x="${cx}" y="${y(0) - 4}" text-anchor="middle" class="axis muted">${esc(words.none)}</text>`;
      const cls = pt.rate < 60 ? 'cbar bad' : pt.rate < 90 ? 'cbar warn' : 'cbar good';
      return `<g data-month="${esc(pt.label)}" data-rate="${pt.rate}"><rect x="${cx - bw / 2}" y="${y(pt.rate)}" width="${bw}" height="${Math.max(0, y(0) - y(pt.rate))}" class="${cls}"><title>${esc(pt.label)} ${esc(words.month)} ${pt.rate}%</title></rect><text x="${cx}" y="${y(pt.rate) - 4}" text-anchor="middle" class="value">${pt.rate}%</text></g>${label}`;
    })
    .join('');
  const line = points
    .map((pt, i) =>
      pt.cumulative === null ? null : `${(PAD.left + slot * i + slot / 2).toFixed(1)},${y(pt.cumulative).toFixed(1)}`,
    )
    .filter((x): x is string => x !== null);
  const trend = line.length
    ? `<polyline points="${line.join(' ')}" class="trend"/>${line.map((p) => `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3.5" class="trend-dot"/>`).join('')}`
    : '';
  const legend = `<g class="legend"><rect x="${PAD.left}" y="${H - 14}" width="12" height="10" class="cbar good"/><text x="${PAD.left + 16}" y="${H - 5}" class="axis">${esc(words.month)}</text><line x1="${PAD.left + 130}" x2="${PAD.left + 152}" y1="${H - 9}" y2="${H - 9}" class="trend"/><text x="${PAD.left + 156}" y="${H - 5}" class="axis">${esc(words.trend)}</text></g>`;
  const summary = points.map((p) => `${p.label} ${p.rate === null ? words.none : `${p.rate}%`}`).join('，');
  return raw(
    `<svg class="chart" id="month-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${words.title}：${summary}`)}" preserveAspectRatio="xMidYMid meet"><title>${esc(words.title)}</title>${grid}${bars}${trend}${legend}</svg>`,
  );
}

/** Colleges ranked worst first: one horizontal bar each, the rate at its end. Each bar is a link, so the chart is a labelled group (role img would hide, and nest, the links). */
export function rankingChart(
  rows: Array<{ name: string; rate: number | null; href: string }>,
  words: { title: string; none: string },
): Raw {
  const rowH = 26;
  const labelW = 150;
  const h = rows.length * rowH + 8;
  const plotW = W - labelW - 56;
  const bars = rows
    .map((r, i) => {
      const y = 4 + i * rowH;
      const name = r.name.length > 12 ? `${r.name.slice(0, 11)}…` : r.name;
      const w = r.rate === null ? 0 : (r.rate / 100) * plotW;
      const cls = r.rate === null ? 'cbar' : r.rate < 60 ? 'cbar bad' : r.rate < 90 ? 'cbar warn' : 'cbar good';
      return `<a href="${esc(r.href)}"><g data-rank="${i + 1}"><text x="${labelW - 6}" y="${y + 16}" text-anchor="end" class="axis">${esc(name)}</text><rect x="${labelW}" y="${y + 3}" width="${plotW}" height="${rowH - 8}" class="track"/><rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" class="${cls}"><title>${esc(r.name)} ${r.rate === null ? esc(words.none) : `${r.rate}%`}</title></rect><text x="${labelW + plotW + 6}" y="${y + 16}" class="value">${r.rate === null ? esc(words.none) : `${r.rate}%`}</text></g></a>`;
    })
    .join('');
  const summary = rows.map((r) => `${r.name} ${r.rate === null ? words.none : `${r.rate}%`}`).join('，');
  return raw(
    `<svg class="chart" id="ranking-chart" viewBox="0 0 ${W} ${h}" role="group" aria-label="${esc(`${words.title}：${summary}`)}"><title>${esc(words.title)}</title>${bars}</svg>`,
  );
}
