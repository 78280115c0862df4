import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DetectionConfusionMatrix } from '../eval/confusion.js';
import { confusionMatrixSvg } from '../eval/plots.js';
import { linePlot, type Series } from '../viz/plot.js';
import { annotateImage } from './annotate.js';
import type { DetectionData } from './dataset.js';
import { originalSample } from './samples.js';
import type { TrainRunResult } from './train.js';

/**
 * The figures of a run folder, written when training ends: `results.svg` (each loss and the
 * validation mAP per epoch), `labels.svg` (instances per class, box sizes), and from the last
 * validation `PR_curve.svg` (COCOeval's interpolated precision at IoU 0.5, per class) and
 * `confusion_matrix.svg` (Ultralytics' detection confusion matrix, confidence 0.25, IoU 0.45), and the
 * first validation images with their ground truth (`val_<k>_labels.png`) beside the predictions scoring
 * at least 0.25 (`val_<k>_pred.png`).
 */
export async function writeRunPlots(result: TrainRunResult, val: DetectionData | undefined, train?: DetectionData): Promise<string[]> {
  const { dir, history } = result;
  const written: string[] = [];
  const write = (name: string, svg: string) => {
    writeFileSync(join(dir, name), svg);
    written.push(name);
  };
  const epochs = history.map((h) => h.epoch);
  const lossNames = [...new Set(history.flatMap((h) => Object.keys(h.losses)))];
  const series: Series[] = lossNames.map((k) => ({ label: k, xs: epochs, ys: history.map((h) => h.losses[k] ?? NaN), marker: history.length < 3 }));
  write('results.svg', linePlot(series, { title: 'training losses per epoch', xLabel: 'epoch', yLabel: 'mean loss', legend: 'right' }));
  if (history.some((h) => h.mAP >= 0)) {
    const m: Series[] = [
      { label: 'mAP', xs: epochs, ys: history.map((h) => h.mAP), marker: history.length < 3 },
      { label: 'mAP50', xs: epochs, ys: history.map((h) => h.mAP50), marker: history.length < 3 },
    ];
    if (history.some((h) => h.maskAP !== undefined)) m.push({ label: 'mask AP', xs: epochs, ys: history.map((h) => h.maskAP ?? NaN), marker: history.length < 3 });
    write('results_map.svg', linePlot(m, { title: 'validation per epoch', xLabel: 'epoch', yLabel: 'COCO AP', yRange: [0, 1] }));
  }
  const data = train ?? val;
  if (data) {
    const counts = data.classes.map((_, k) => data.dataset.images.reduce((s, im) => s + im.labels.filter((l) => l === k).length, 0));
    write('labels.svg', linePlot([{ label: 'instances', xs: counts.map((_, k) => k), ys: counts, marker: true, line: false }], { title: `instances per class (${data.classes.map((c, k) => `${k} ${c}`).join(', ')})`, xLabel: 'class', yLabel: 'instances', legend: 'none' }));
    const sizes: Series[] = data.classes.map((name, k) => {
      const ws: number[] = [], hs: number[] = [];
      for (const im of data.dataset.images) {
        for (let j = 0; j < im.labels.length; j++) {
          if (im.labels[j] !== k) continue;
          ws.push((im.boxes[4 * j + 2] - im.boxes[4 * j]) / im.width);
          hs.push((im.boxes[4 * j + 3] - im.boxes[4 * j + 1]) / im.height);
        }
      }
      return { label: name, xs: ws, ys: hs, marker: true, line: false };
    });
    write('labels_sizes.svg', linePlot(sizes, { title: 'box sizes (fraction of the image)', xLabel: 'width', yLabel: 'height', xRange: [0, 1], yRange: [0, 1], legend: 'right' }));
  }
  const v = result.lastVal;
  if (v && val) {
    const { R, K, A, M } = v.bbox.dims;
    const xs = Array.from({ length: R }, (_, r) => r / (R - 1));
    const curves: Series[] = val.classes.map((name, k) => ({ label: `${name} ${v.perClass[k].ap50 >= 0 ? v.perClass[k].ap50.toFixed(3) : '-'}`, xs, ys: xs.map((_, r) => Math.max(0, v.bbox.precision[((r * K + k) * A + 0) * M + (M - 1)])), step: true }));
    write('PR_curve.svg', linePlot(curves, { title: 'precision–recall at IoU 0.5 (COCOeval, interpolated)', xLabel: 'recall', yLabel: 'precision', xRange: [0, 1], yRange: [0, 1], legend: 'right' }));
    const cm = new DetectionConfusionMatrix(val.classes.length);
    v.detections.forEach((d, i) => {
      const im = val.dataset.images[i];
      cm.addImage(im.boxes, im.labels, d.boxes, Int32Array.from(d.labels, (l) => l - 1), d.scores);
    });
    write('confusion_matrix.svg', confusionMatrixSvg(cm, val.classes));
    for (let i = 0; i < Math.min(4, v.detections.length); i++) {
      const sample = await originalSample(val, i, false);
      const im = val.dataset.images[i];
      const truth = { boxes: im.boxes, labels: Int32Array.from(im.labels, (l) => l + 1), scores: new Float32Array(im.labels.length).fill(1) };
      const d = v.detections[i];
      const keep = Array.from(d.scores.keys()).filter((j) => d.scores[j] >= 0.25);
      const shown = { boxes: Float32Array.from(keep.flatMap((j) => Array.from(d.boxes.subarray(4 * j, 4 * j + 4)))), labels: Int32Array.from(keep, (j) => d.labels[j]), scores: Float32Array.from(keep, (j) => d.scores[j]), masks: d.masks && keep.map((j) => d.masks![j]) };
      writeFileSync(join(dir, `val_${i}_labels.png`), await annotateImage(sample.image, truth, val.classes));
      writeFileSync(join(dir, `val_${i}_pred.png`), await annotateImage(sample.image, shown, val.classes));
      written.push(`val_${i}_labels.png`, `val_${i}_pred.png`);
    }
  }
  return written;
}
