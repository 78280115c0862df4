import { colour, fmt, line, polyline, rect, svgDoc, text, escapeXml } from './svg.js';

/** One series of a line plot. */
export interface Series {
  label: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  colour?: string;
  /** Draw as steps (right-continuous), as precision/recall curves are. */
  step?: boolean;
  dashed?: boolean;
}

/** Options of {@link linePlot}. */
export interface LinePlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  xRange?: [number, number];
  yRange?: [number, number];
  width?: number;
  height?: number;
  /** Logarithmic x axis (base 10). */
  logX?: boolean;
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * A line plot as a standalone SVG: axes with ticks, one polyline per series, a legend. Used for
 * precision/recall curves, training curves and recall-vs-proposals plots.
 */
export function linePlot(series: Series[], opts: LinePlotOptions = {}): string {
  const width = opts.width ?? 480;
  const height = opts.height ?? 320;
  const margin = { left: 56, right: 16, top: opts.title ? 28 : 12, bottom: 44 };
  const tx = (v: number) => (opts.logX ? Math.log10(Math.max(v, 1e-12)) : v);
  let [x0, x1] = opts.xRange ?? [Infinity, -Infinity];
  let [y0, y1] = opts.yRange ?? [Infinity, -Infinity];
  if (!opts.xRange || !opts.yRange) {
    for (const s of series) {
      for (let i = 0; i < s.xs.length; i++) {
        if (!opts.xRange) { x0 = Math.min(x0, s.xs[i]); x1 = Math.max(x1, s.xs[i]); }
        if (!opts.yRange) { y0 = Math.min(y0, s.ys[i]); y1 = Math.max(y1, s.ys[i]); }
      }
    }
  }
  if (!Number.isFinite(x0)) [x0, x1] = [0, 1];
  if (!Number.isFinite(y0)) [y0, y1] = [0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  const [lx0, lx1] = [tx(x0), tx(x1)];
  const pw = width - margin.left - margin.right;
  const ph = height - margin.top - margin.bottom;
  const px = (v: number) => margin.left + ((tx(v) - lx0) / (lx1 - lx0)) * pw;
  const py = (v: number) => margin.top + ph - ((v - y0) / (y1 - y0)) * ph;
  const out: string[] = [rect(0, 0, width, height, { fill: '#fff' })];
  if (opts.title) out.push(text(width / 2, 18, opts.title, { 'text-anchor': 'middle', 'font-weight': 'bold' }));
  out.push(rect(margin.left, margin.top, margin.left + pw, margin.top + ph, { stroke: '#333' }));
  const xTicks = opts.logX
    ? niceTicks(lx0, lx1, 5).filter((t) => Number.isInteger(t)).map((t) => 10 ** t)
    : niceTicks(x0, x1);
  for (const t of xTicks) {
    out.push(line(px(t), margin.top + ph, px(t), margin.top + ph + 4, { stroke: '#333' }));
    out.push(line(px(t), margin.top, px(t), margin.top + ph, { stroke: '#eee' }));
    out.push(text(px(t), margin.top + ph + 16, fmt(t), { 'text-anchor': 'middle' }));
  }
  for (const t of niceTicks(y0, y1)) {
    out.push(line(margin.left - 4, py(t), margin.left, py(t), { stroke: '#333' }));
    out.push(line(margin.left, py(t), margin.left + pw, py(t), { stroke: '#eee' }));
    out.push(text(margin.left - 6, py(t) + 4, fmt(t), { 'text-anchor': 'end' }));
  }
  if (opts.xLabel) out.push(text(margin.left + pw / 2, height - 8, opts.xLabel, { 'text-anchor': 'middle' }));
  if (opts.yLabel) out.push(text(14, margin.top + ph / 2, opts.yLabel, { 'text-anchor': 'middle', transform: `rotate(-90 14 ${fmt(margin.top + ph / 2)})` }));
  series.forEach((s, k) => {
    const c = s.colour ?? colour(k);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < s.xs.length; i++) {
      if (s.step && i > 0) { xs.push(px(s.xs[i])); ys.push(py(s.ys[i - 1])); }
      xs.push(px(s.xs[i]));
      ys.push(py(s.ys[i]));
    }
    out.push(polyline(xs, ys, { stroke: c, 'stroke-width': 2, 'stroke-dasharray': s.dashed ? '5,3' : undefined }));
    const ly = margin.top + 14 + 16 * k;
    out.push(line(margin.left + pw - 120, ly - 4, margin.left + pw - 100, ly - 4, { stroke: c, 'stroke-width': 2 }));
    out.push(text(margin.left + pw - 96, ly, s.label));
  });
  return svgDoc(width, height, out);
}

/** An HTML table from a header row and rows of cells (numbers formatted to `digits`). */
export function htmlTable(header: string[], rows: (string | number)[][], digits = 3): string {
  const cell = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : escapeXml(v));
  return `<table><thead><tr>${header.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}
