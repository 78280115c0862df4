import { join } from 'node:path';
import { linePlot, type Series } from '../viz/plot.js';
import { colour, fmt, line, rect, svgDoc, text } from '../viz/svg.js';
import { AtomicFiles } from '../util/atomic.js';
import type { DetectionConfusionMatrix } from './confusion.js';
import { confidenceCurve, meanConfidenceCurve, precisionEnvelope, type ConfidenceCurve } from './curves.js';
import type { VocClassResult, VocResult } from './voc.js';

/**
 * SVG figures of an evaluation: precision/recall curves with AP in the legend, F1 against the
 * confidence threshold, and the detection confusion matrix as a heatmap. Built on `viz/plot.ts`
 * (line plots) and `viz/svg.ts` (the heatmap).
 */

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

/** Classes beyond which a figure with one curve per class would have an unreadable legend. */
const MAX_LEGEND_SERIES = 8;

/**
 * The interpolated envelope as a step line: precision `env.precision[i]` holds on the recall interval
 * (recall[i−1], recall[i]], then a drop to 0 at the highest recall reached. Arrays `[2K+1]`.
 */
function envelopeSteps(recall: Float64Array, precision: Float64Array): { xs: number[]; ys: number[] } {
  const k = recall.length - 2; // points of the raw curve
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 1; i <= k; i++) {
    xs.push(recall[i - 1], recall[i]);
    ys.push(precision[i], precision[i]);
  }
  if (k > 0) {
    xs.push(recall[k]);
    ys.push(0);
  }
  return { xs, ys };
}

/**
 * PR curve of one class: the raw curve (one point per detection taken, in score order) and its
 * interpolated envelope (dashed steps); the legend and title give the AP and the IoU threshold.
 */
export function classPrCurveSvg(c: VocClassResult, result: Pick<VocResult, 'iouThreshold' | 'interp'>): string {
  const env = precisionEnvelope(c.curve.recall, c.curve.precision);
  const steps = envelopeSteps(env.recall, env.precision);
  const series: Series[] = [
    { label: `${c.className} AP ${pct(c.ap)}`, xs: c.curve.recall, ys: c.curve.precision },
    { label: 'interpolated', xs: steps.xs, ys: steps.ys, dashed: true, colour: colour(3) },
  ];
  return linePlot(series, {
    title: `${c.className}: AP@${result.iouThreshold} = ${pct(c.ap)} (${result.interp === 'all' ? 'all-point' : '11-point'})`,
    xLabel: 'recall',
    yLabel: 'precision',
    xRange: [0, 1],
    yRange: [0, 1],
  });
}

/**
 * Interpolated PR curves of every class in one figure, the AP of each in the legend. Meant for up to
 * 8 classes (the legend sits inside the plot); {@link apBarsSvg} summarizes any number of classes.
 */
export function prCurvesSvg(result: VocResult): string {
  const series: Series[] = result.classes.map((c) => {
    const env = precisionEnvelope(c.curve.recall, c.curve.precision);
    const steps = envelopeSteps(env.recall, env.precision);
    return { label: `${c.className} ${pct(c.ap)}`, xs: steps.xs, ys: steps.ys };
  });
  return linePlot(series, {
    title: `PR curves, mAP@${result.iouThreshold} = ${pct(result.mAP)}`,
    xLabel: 'recall',
    yLabel: 'interpolated precision',
    xRange: [0, 1],
    yRange: [0, 1],
  });
}

/** AP of every class as horizontal bars, with the mAP as a vertical line. */
export function apBarsSvg(result: VocResult): string {
  const left = 110, right = 70, top = 30, bar = 18, bottom = 36;
  const plotW = 360;
  const n = result.classes.length;
  const width = left + plotW + right;
  const height = top + n * bar + bottom;
  const out: string[] = [rect(0, 0, width, height, { fill: '#fff' })];
  out.push(text(width / 2, 18, `AP@${result.iouThreshold} per class (${result.interp === 'all' ? 'all-point' : '11-point'}), mAP = ${pct(result.mAP)}`, { 'text-anchor': 'middle', 'font-weight': 'bold' }));
  result.classes.forEach((c, k) => {
    const y = top + k * bar;
    out.push(rect(left, y + 2, left + c.ap * plotW, y + bar - 2, { fill: colour(0) }));
    out.push(text(left - 6, y + bar / 2 + 4, c.className, { 'text-anchor': 'end' }));
    out.push(text(left + c.ap * plotW + 4, y + bar / 2 + 4, pct(c.ap)));
  });
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const x = left + t * plotW;
    out.push(line(x, top + n * bar, x, top + n * bar + 4, { stroke: '#333' }));
    out.push(text(x, top + n * bar + 16, fmt(t), { 'text-anchor': 'middle' }));
  }
  out.push(line(left, top, left, top + n * bar, { stroke: '#333' }));
  if (Number.isFinite(result.mAP)) out.push(line(left + result.mAP * plotW, top, left + result.mAP * plotW, top + n * bar, { stroke: colour(3), 'stroke-dasharray': '4,3', 'stroke-width': 2 }));
  return svgDoc(width, height, out);
}

/**
 * F1 against the confidence threshold. Up to 8 classes: one line per class and their mean (dashed,
 * black); more: the mean F1, precision and recall over the classes (Ultralytics' "all classes" curve).
 * The best threshold of the mean F1 is in the title. `curves` from {@link confidenceCurve}.
 */
export function f1ConfidenceSvg(curves: { className: string; curve: ConfidenceCurve }[]): string {
  const mean = meanConfidenceCurve(curves.map((c) => c.curve));
  const series: Series[] =
    curves.length <= MAX_LEGEND_SERIES
      ? [...curves.map((c, k) => ({ label: c.className, xs: c.curve.confidence, ys: c.curve.f1, colour: colour(k === 7 ? 9 : k) })), { label: 'mean', xs: mean.confidence, ys: mean.f1, colour: '#000', dashed: true }]
      : [
          { label: 'mean F1', xs: mean.confidence, ys: mean.f1, colour: '#000' },
          { label: 'mean precision', xs: mean.confidence, ys: mean.precision, colour: colour(0), dashed: true },
          { label: 'mean recall', xs: mean.confidence, ys: mean.recall, colour: colour(3), dashed: true },
        ];
  return linePlot(series, {
    title: `F1 vs confidence (${curves.length} classes): best mean F1 ${mean.f1[mean.bestIndex].toFixed(3)} at ${mean.confidence[mean.bestIndex].toFixed(2)}`,
    xLabel: 'confidence threshold',
    yLabel: curves.length <= MAX_LEGEND_SERIES ? 'F1' : 'F1, precision, recall',
    xRange: [0, 1],
    yRange: [0, 1],
    width: 560,
  });
}

/** Per-class confidence curves of a VOC result (the matched detections of each class). */
export function vocConfidenceCurves(result: VocResult): { className: string; curve: ConfidenceCurve }[] {
  return result.classes.map((c) => ({ className: c.className, curve: confidenceCurve(c.isTp, c.scores, c.numGt) }));
}

/** Blue scale from white (0) to dark blue (1). */
function heat(v: number): string {
  const t = Math.max(0, Math.min(1, v));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(247, 8)},${mix(251, 48)},${mix(255, 107)})`;
}

/**
 * The detection confusion matrix as a heatmap: rows = predicted class, columns = true class, the last
 * of each is background. Cells are coloured by the column-normalized value and show the counts.
 */
export function confusionMatrixSvg(m: DetectionConfusionMatrix, classNames: readonly string[]): string {
  const n = m.size;
  const names = [...classNames.slice(0, m.numClasses), 'background'];
  const cell = Math.max(18, Math.min(48, Math.floor(640 / n)));
  const left = 110;
  const top = 40;
  const bottom = 100;
  const title = `Confusion matrix (conf > ${m.confThreshold}, IoU > ${m.iouThreshold}); columns normalized`;
  // Wide enough for the title (about 7 px per bold 12 px character) even with few classes.
  const width = Math.max(left + n * cell + 20, title.length * 7 + 20);
  const height = top + n * cell + bottom;
  const norm = m.normalizedByTruth();
  const out: string[] = [rect(0, 0, width, height, { fill: '#fff' })];
  out.push(text(width / 2, 20, title, { 'text-anchor': 'middle', 'font-weight': 'bold' }));
  const fontSize = cell >= 30 ? 11 : 8;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const v = norm[r * n + c];
      const x = left + c * cell;
      const y = top + r * cell;
      out.push(rect(x, y, x + cell, y + cell, { fill: heat(v), stroke: '#ddd' }));
      const count = m.at(r, c);
      if (count > 0) out.push(text(x + cell / 2, y + cell / 2 + 4, String(count), { 'text-anchor': 'middle', 'font-size': fontSize, fill: v > 0.5 ? '#fff' : '#000' }));
    }
    out.push(text(left - 4, top + r * cell + cell / 2 + 4, names[r], { 'text-anchor': 'end', 'font-size': 10 }));
  }
  for (let c = 0; c < n; c++) {
    const x = left + c * cell + cell / 2;
    const y = top + n * cell + 6;
    out.push(text(x, y, names[c], { 'text-anchor': 'end', 'font-size': 10, transform: `rotate(-60 ${fmt(x)} ${fmt(y)})` }));
  }
  out.push(line(left, top, left, top + n * cell, { stroke: '#333' }));
  out.push(text(14, top + (n * cell) / 2, 'predicted', { 'text-anchor': 'middle', transform: `rotate(-90 14 ${fmt(top + (n * cell) / 2)})` }));
  out.push(text(left + (n * cell) / 2, height - 6, 'true', { 'text-anchor': 'middle' }));
  return svgDoc(width, height, out);
}

/** A file-name-safe version of a class name. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * The SVG figures of a VOC evaluation as `[file name, svg text]` pairs: AP per class, PR curves (all
 * classes, when few enough for a legend, and one per class), F1 against confidence, and the confusion
 * matrix when `confusion` is given.
 */
export function vocPlotFiles(result: VocResult, confusion?: DetectionConfusionMatrix, classNames?: readonly string[]): [string, string][] {
  const files: [string, string][] = [['ap_per_class.svg', apBarsSvg(result)]];
  if (result.classes.length <= MAX_LEGEND_SERIES) files.push(['pr_curves.svg', prCurvesSvg(result)]);
  const used = new Set<string>();
  for (const c of result.classes) {
    let name = `pr_${safeName(c.className)}.svg`;
    for (let k = 2; used.has(name); k++) name = `pr_${safeName(c.className)}_${k}.svg`;
    used.add(name);
    files.push([name, classPrCurveSvg(c, result)]);
  }
  if (result.classes.length) files.push(['f1_confidence.svg', f1ConfidenceSvg(vocConfidenceCurves(result))]);
  if (confusion) files.push(['confusion_matrix.svg', confusionMatrixSvg(confusion, classNames ?? [])]);
  return files;
}

/**
 * Writes the figures of a VOC evaluation into `dir` (all or none, each atomically; other files in `dir` are
 * left alone): `ap_per_class.svg`, `pr_curves.svg` (up to 8 classes), `pr_<class>.svg` per class, `f1_confidence.svg`, and
 * `confusion_matrix.svg` when a matrix is given. Returns the file names written.
 */
export function writeVocPlots(dir: string, result: VocResult, confusion?: DetectionConfusionMatrix, classNames?: readonly string[]): string[] {
  const files = vocPlotFiles(result, confusion, classNames);
  // all figures or none
  const out = new AtomicFiles();
  for (const [name, svg] of files) out.add(join(dir, name), svg);
  out.commit();
  return files.map(([name]) => name);
}
