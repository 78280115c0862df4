import { boxIou } from '../../boxes/iou.js';
import { htmlTable } from '../../viz/plot.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';
import { fmt, group, line, rect, svgDoc, text } from '../../viz/svg.js';

/** The lecture's reading of an IoU value: > 0.5 decent, > 0.7 pretty good, > 0.9 almost perfect. */
export function iouQualityBand(iou: number): 'poor' | 'decent' | 'pretty good' | 'almost perfect' {
  return iou > 0.9 ? 'almost perfect' : iou > 0.7 ? 'pretty good' : iou > 0.5 ? 'decent' : 'poor';
}

const GROUND_TRUTH = '#009E73';
const PREDICTION = '#0072B2';
const BANDS: [number, number, string, string][] = [
  [0, 0.5, 'poor', '#f3d6d6'],
  [0.5, 0.7, 'decent', '#f6e7c8'],
  [0.7, 0.9, 'pretty good', '#d9ecd0'],
  [0.9, 1, 'almost perfect', '#bfe3c6'],
];

/**
 * Three (ground truth, prediction) pairs, one per quality band: the same 120×120 ground truth and a
 * prediction of the same size shifted by (20, 15), (10, 8) and (3, 2) pixels. `Float32Array [3,4]` each.
 */
export function iouExamplePairs(): { groundTruth: Float32Array; predictions: Float32Array } {
  const groundTruth = new Float32Array([40, 40, 160, 160, 40, 40, 160, 160, 40, 40, 160, 160]);
  const shifts = [[20, 15], [10, 8], [3, 2]];
  const predictions = new Float32Array(12);
  shifts.forEach(([dx, dy], k) => predictions.set([40 + dx, 40 + dy, 160 + dx, 160 + dy], 4 * k));
  return { groundTruth, predictions };
}

/** `iou` section: an SVG of three box pairs with their IoU and the lecture's quality bands. */
export async function iouSection(ctx: ReportContext): Promise<ReportSection> {
  const { groundTruth, predictions } = iouExamplePairs();
  const ious = [0, 1, 2].map((k) => boxIou(groundTruth.subarray(4 * k, 4 * k + 4), predictions.subarray(4 * k, 4 * k + 4))[0]);
  const panel = 200, width = 3 * panel + 40, height = panel + 110;
  const parts: string[] = [rect(0, 0, width, height, { fill: '#fff' })];
  ious.forEach((iou, k) => {
    const g = groundTruth.subarray(4 * k, 4 * k + 4), p = predictions.subarray(4 * k, 4 * k + 4);
    const ix1 = Math.max(g[0], p[0]), iy1 = Math.max(g[1], p[1]), ix2 = Math.min(g[2], p[2]), iy2 = Math.min(g[3], p[3]);
    parts.push(group([
      rect(0, 0, panel, panel, { stroke: '#ccc' }),
      rect(ix1, iy1, ix2, iy2, { fill: '#999', 'fill-opacity': 0.25 }),
      rect(g[0], g[1], g[2], g[3], { stroke: GROUND_TRUTH, 'stroke-width': 2 }),
      rect(p[0], p[1], p[2], p[3], { stroke: PREDICTION, 'stroke-width': 2, 'stroke-dasharray': '6,3' }),
      text(panel / 2, 20, `${String.fromCharCode(65 + k)}: IoU = ${iou.toFixed(3)}`, { 'text-anchor': 'middle', 'font-weight': 'bold' }),
      text(panel / 2, panel - 10, iouQualityBand(iou), { 'text-anchor': 'middle' }),
    ], `translate(${10 + k * (panel + 10)} 10)`));
  });
  // the IoU scale with the lecture's bands and the three examples marked
  const x0 = 20, x1 = width - 20, y = panel + 40;
  const sx = (v: number) => x0 + v * (x1 - x0);
  for (const [lo, hi, label, fill] of BANDS) {
    parts.push(rect(sx(lo), y, sx(hi), y + 22, { fill, stroke: '#fff' }));
    parts.push(text((sx(lo) + sx(hi)) / 2, y + 15, label, { 'text-anchor': 'middle', 'font-size': 10 }));
  }
  for (const v of [0, 0.5, 0.7, 0.9, 1]) parts.push(text(sx(v), y + 36, fmt(v), { 'text-anchor': 'middle', 'font-size': 11 }));
  ious.forEach((iou, k) => {
    parts.push(line(sx(iou), y - 6, sx(iou), y, { stroke: PREDICTION, 'stroke-width': 2 }));
    parts.push(text(sx(iou), y - 9, String.fromCharCode(65 + k), { 'text-anchor': 'middle', 'font-size': 11 }));
  });
  parts.push(text(x0, height - 12, 'solid green: ground truth; dashed blue: prediction; grey: intersection', { 'font-size': 11 }));
  const svg = svgDoc(width, height, parts);
  const name = ctx.figure('iou.svg', svg);
  const rows = ious.map((iou, k) => [String.fromCharCode(65 + k), iou, iouQualityBand(iou)]);
  const html = [
    '<p>Intersection over union, IoU(A, B) = |A ∩ B| / |A ∪ B|, scores how well a predicted box matches a ground-truth box. ',
    'The lecture reads it as: above 0.5 decent, above 0.7 pretty good, above 0.9 almost perfect. Each example below is the same ',
    '120×120 ground truth with a prediction of the same size shifted by (20, 15), (10, 8) and (3, 2) pixels: IoU drops fast with small shifts.</p>',
    figureHtml(name, 'Three predictions (A, B, C) of one ground truth, one per quality band, computed with boxIou.'),
    htmlTable(['pair', 'IoU', 'quality'], rows, 3),
  ].join('');
  return { id: 'iou', title: 'Intersection over union', html };
}
