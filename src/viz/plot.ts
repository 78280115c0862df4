import { circle, colour, fmt, line, polyline, rect, svgDoc, text, escapeXml } from './svg.js';

/** One series of a line plot. */
export interface Series {
  /** Legend label; a series with an empty label is drawn but not listed in the legend. */
  label: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  colour?: string;
  /** Draw as steps (right-continuous), as precision/recall curves are. */
  step?: boolean;
  /** Dashed line ('5,3'). Series without a colour of their own beyond the palette's 10 are dashed by cycle (see {@link linePlot}). */
  dashed?: boolean;
  /** A dot (radius 3 px) at every data point, e.g. the points of a raw PR curve. Default false. */
  marker?: boolean;
  /** Draw the connecting line (default true); `false` with `marker` gives a scatter of the points. */
  line?: boolean;
}

/**
 * Where {@link linePlot} puts its legend: `'inside'` the plot's top-right corner (the default; fine for
 * a few series), `'inside-bottom-left'` (for decreasing curves such as PR curves), `'right'` in
 * columns beside the plot (the figure grows wider; for many series, e.g. 20 VOC classes), `'none'`.
 */
export type LegendPlacement = 'inside' | 'inside-bottom-left' | 'right' | 'none';

/** Options of {@link linePlot}. */
export interface LinePlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  xRange?: [number, number];
  yRange?: [number, number];
  /** Width in px of the figure without a `'right'` legend (that legend's columns are added to it). Default 480. */
  width?: number;
  /** Height in px of the figure. Default 320. */
  height?: number;
  /** Logarithmic x axis (base 10). */
  logX?: boolean;
  /** Legend placement (default `'inside'`). */
  legend?: LegendPlacement;
}

/** Height in px of one legend entry. */
const LEGEND_ROW = 16;
/** Length in px of the line sample in front of a legend label. */
const LEGEND_SAMPLE = 20;

/**
 * Estimated width in px of `label` in the figures' 12 px sans-serif: 0.6 em per character, a little
 * wider than the average glyph, so that boxes sized with it hold the text.
 */
export function estimateTextWidth(label: string, fontSize = 12): number {
  return Math.ceil(0.6 * fontSize * [...label].length);
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

/** Number of colours of the palette of `svg.ts`' {@link colour}. */
const PALETTE_SIZE = 10;
/** Dash patterns of the palette's cycles: series k without a colour of its own gets cycle ⌊k / 10⌋'s. */
const CYCLE_DASHES = [undefined, '8,3', '2,2', '8,3,2,3'];

/** One legend entry at (x, y) (y = text baseline): the line sample (dashes as the series', a dot when it has markers) and the label. */
function legendEntry(x: number, y: number, s: Series, c: string, dash: string | undefined): string[] {
  const out: string[] = [];
  const mid = y - 4;
  if (s.line !== false) out.push(line(x, mid, x + LEGEND_SAMPLE, mid, { stroke: c, 'stroke-width': 2, 'stroke-dasharray': dash }));
  if (s.marker || s.line === false) out.push(circle(x + LEGEND_SAMPLE / 2, mid, 3, { fill: c }));
  out.push(text(x + LEGEND_SAMPLE + 4, y, s.label));
  return out;
}

/**
 * A line plot as a standalone SVG: axes with ticks, one polyline per series (optionally with dots at
 * the points, or dots only), a legend placed per {@link LinePlotOptions.legend}. Series without their
 * own colour take the palette in turn; from the 11th on the colours repeat with dashes (8,3 then 2,2
 * then 8,3,2,3), so up to 40 series stay apart. Used for
 * precision/recall curves, training curves and recall-vs-proposals plots.
 */
export function linePlot(series: Series[], opts: LinePlotOptions = {}): string {
  const plotFigureWidth = opts.width ?? 480;
  const height = opts.height ?? 320;
  const placement = opts.legend ?? 'inside';
  const margin = { left: 56, right: 16, top: opts.title ? 28 : 12, bottom: 44 };
  const listed = series.map((s, k) => ({ s, k })).filter(({ s }) => s.label !== '');
  const entryWidth = LEGEND_SAMPLE + 4 + Math.max(0, ...listed.map(({ s }) => estimateTextWidth(s.label)));
  // a 'right' legend: as many rows per column as fit beside the plot, columns side by side
  const rowsPerColumn = Math.max(1, Math.floor((height - margin.top - margin.bottom - 8) / LEGEND_ROW));
  const columns = placement === 'right' && listed.length ? Math.ceil(listed.length / rowsPerColumn) : 0;
  const columnWidth = entryWidth + 12;
  const width = plotFigureWidth + columns * columnWidth;
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
  const pw = plotFigureWidth - margin.left - margin.right;
  const ph = height - margin.top - margin.bottom;
  const px = (v: number) => margin.left + ((tx(v) - lx0) / (lx1 - lx0)) * pw;
  const py = (v: number) => margin.top + ph - ((v - y0) / (y1 - y0)) * ph;
  const out: string[] = [rect(0, 0, width, height, { fill: '#fff' })];
  if (opts.title) out.push(text(plotFigureWidth / 2, 18, opts.title, { 'text-anchor': 'middle', 'font-weight': 'bold' }));
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
  out.push(rect(margin.left, margin.top, margin.left + pw, margin.top + ph, { stroke: '#333' })); // the frame, over the grid lines
  if (opts.xLabel) out.push(text(margin.left + pw / 2, height - 8, opts.xLabel, { 'text-anchor': 'middle' }));
  if (opts.yLabel) out.push(text(14, margin.top + ph / 2, opts.yLabel, { 'text-anchor': 'middle', transform: `rotate(-90 14 ${fmt(margin.top + ph / 2)})` }));
  const colours = series.map((s, k) => s.colour ?? colour(k));
  // beyond the palette, colours repeat: tell the repeats apart by their dashes
  const dashes = series.map((s, k) => (s.dashed ? '5,3' : s.colour === undefined ? CYCLE_DASHES[Math.floor(k / PALETTE_SIZE) % CYCLE_DASHES.length] : undefined));
  series.forEach((s, k) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < s.xs.length; i++) {
      if (s.step && i > 0) { xs.push(px(s.xs[i])); ys.push(py(s.ys[i - 1])); }
      xs.push(px(s.xs[i]));
      ys.push(py(s.ys[i]));
    }
    if (s.line !== false) out.push(polyline(xs, ys, { stroke: colours[k], 'stroke-width': 2, 'stroke-dasharray': dashes[k] }));
    if (s.marker || s.line === false) for (let i = 0; i < s.xs.length; i++) out.push(circle(px(s.xs[i]), py(s.ys[i]), 3, { fill: colours[k] }));
  });
  if (placement === 'inside' || placement === 'inside-bottom-left') {
    if (listed.length) {
      const boxW = entryWidth + 12, boxH = LEGEND_ROW * listed.length + 8;
      const bx = placement === 'inside' ? margin.left + pw - boxW - 6 : margin.left + 6;
      const by = placement === 'inside' ? margin.top + 6 : margin.top + ph - boxH - 6;
      out.push(rect(bx, by, bx + boxW, by + boxH, { fill: '#fff', 'fill-opacity': 0.85, stroke: '#ccc' }));
      listed.forEach(({ s, k }, row) => out.push(...legendEntry(bx + 6, by + 4 + LEGEND_ROW * (row + 1) - 4, s, colours[k], dashes[k])));
    }
  } else if (placement === 'right') {
    listed.forEach(({ s, k }, i) => {
      const col = Math.floor(i / rowsPerColumn), row = i % rowsPerColumn;
      out.push(...legendEntry(plotFigureWidth + col * columnWidth, margin.top + LEGEND_ROW * (row + 1) - 4, s, colours[k], dashes[k]));
    });
  }
  return svgDoc(width, height, out);
}

/** An HTML table from a header row and rows of cells (numbers formatted to `digits`). */
export function htmlTable(header: string[], rows: (string | number)[][], digits = 3): string {
  const cell = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : escapeXml(v));
  return `<table><thead><tr>${header.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}
