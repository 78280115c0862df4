/**
 * Minimal SVG building blocks for the report's figures. Everything returns markup strings; callers
 * compose them. Coordinates are in SVG user units (pixels of the figure).
 */

/** Escapes text for XML/HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

type Attrs = Record<string, string | number | undefined>;

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? fmt(v) : v!)}"`)
    .join('');
}

/** Compact number formatting for coordinates (at most 2 decimals). */
export function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/\.?0+$/, '');
}

/** A whole SVG document of the given size holding `children`. */
export function svgDoc(width: number, height: number, children: string[], extra: Attrs = {}): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"${attrs(extra)} font-family="sans-serif" font-size="12">\n${children.join('\n')}\n</svg>\n`;
}

/** A rectangle from corner (x1, y1) to (x2, y2). */
export function rect(x1: number, y1: number, x2: number, y2: number, style: Attrs = {}): string {
  return `<rect${attrs({ x: x1, y: y1, width: x2 - x1, height: y2 - y1, fill: 'none', ...style })}/>`;
}

/** A line segment. */
export function line(x1: number, y1: number, x2: number, y2: number, style: Attrs = {}): string {
  return `<line${attrs({ x1, y1, x2, y2, stroke: '#000', ...style })}/>`;
}

/** A circle. */
export function circle(cx: number, cy: number, r: number, style: Attrs = {}): string {
  return `<circle${attrs({ cx, cy, r, ...style })}/>`;
}

/** Text anchored at (x, y). */
export function text(x: number, y: number, content: string, style: Attrs = {}): string {
  return `<text${attrs({ x, y, ...style })}>${escapeXml(content)}</text>`;
}

/** An open polyline through the points `xs[i], ys[i]`. */
export function polyline(xs: ArrayLike<number>, ys: ArrayLike<number>, style: Attrs = {}): string {
  const pts: string[] = [];
  for (let i = 0; i < xs.length; i++) pts.push(`${fmt(xs[i])},${fmt(ys[i])}`);
  return `<polyline${attrs({ points: pts.join(' '), fill: 'none', stroke: '#000', ...style })}/>`;
}

/** A closed polygon through the points `xs[i], ys[i]`. */
export function polygon(xs: ArrayLike<number>, ys: ArrayLike<number>, style: Attrs = {}): string {
  const pts: string[] = [];
  for (let i = 0; i < xs.length; i++) pts.push(`${fmt(xs[i])},${fmt(ys[i])}`);
  return `<polygon${attrs({ points: pts.join(' '), ...style })}/>`;
}

/** An embedded raster image (e.g. a PNG data URL or a relative file name). */
export function image(href: string, x: number, y: number, width: number, height: number): string {
  return `<image${attrs({ href, x, y, width, height, preserveAspectRatio: 'none' })}/>`;
}

/** A group translated/scaled by a transform. */
export function group(children: string[], transform?: string, style: Attrs = {}): string {
  return `<g${attrs({ transform, ...style })}>${children.join('')}</g>`;
}

/** A categorical palette (colour-blind friendly, Okabe–Ito plus extras), indexed modulo its length. */
export function colour(i: number): string {
  const palette = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#999999', '#8C564B'];
  return palette[((i % palette.length) + palette.length) % palette.length];
}

/** RGB of a CSS `#rrggbb` colour (red for anything else). */
export function rgbOf(css: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : [255, 0, 0];
}
