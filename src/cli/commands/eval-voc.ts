import type { Command } from 'commander';
import { readTextFile } from '../../data/json-text.js';
import { join, resolve } from 'node:path';
import { validateThreshold } from '../../boxes/validate.js';
import { parseNamesText, type TextBoxFormat } from '../../data/voc-eval-io.js';
import { DetectionConfusionMatrix } from '../../eval/confusion.js';
import { vocPlotFiles } from '../../eval/plots.js';
import { evaluateVoc, type VocDataset, type VocInterpolation, type VocResult } from '../../eval/voc.js';
import { loadVocEvalFolders } from '../../eval/voc-io.js';
import { AtomicFiles } from '../../util/atomic.js';
import { DetsegInputError } from '../../util/errors.js';

interface EvalVocOptions {
  gt: string;
  dt: string;
  iou: string;
  interp: string;
  plusOne: boolean;
  format: string;
  gtFormat: string;
  names?: string;
  plots?: string;
  json?: string;
}

function boxFormat(value: string, flag: string): TextBoxFormat {
  if (value !== 'xywh' && value !== 'xyxy') throw new DetsegInputError(`must be xywh or xyxy, got '${value}'`, { field: flag });
  return value;
}

/** The AP table printed by `detseg eval voc`: one row per class, then the mAP. */
export function formatVocTable(result: VocResult): string {
  const rows = [['class', 'objects', 'detections', 'TP', 'FP', 'AP %']];
  for (const c of result.classes) rows.push([c.className, String(c.numGt), String(c.scores.length + c.numIgnored), String(c.tp), String(c.fp), (100 * c.ap).toFixed(2)]);
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  const fmtRow = (r: string[]) => r.map((v, k) => (k === 0 ? v.padEnd(widths[k]) : v.padStart(widths[k]))).join('  ');
  const method = result.interp === 'all' ? 'all-point' : '11-point';
  return [fmtRow(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(fmtRow), '', `mAP@${result.iouThreshold} (${method}${result.plusOne ? ', +1 pixel' : ''}): ${(100 * result.mAP).toFixed(2)} %`].join('\n');
}

/** The JSON written by `--json`: settings, mAP, and per class AP and counts. */
export function vocResultJson(result: VocResult): object {
  return {
    iouThreshold: result.iouThreshold,
    interp: result.interp,
    plusOne: result.plusOne,
    mAP: result.mAP,
    classes: result.classes.map((c) => ({ className: c.className, ap: c.ap, numGt: c.numGt, numDifficult: c.numDifficult, numDetections: c.scores.length + c.numIgnored, tp: c.tp, fp: c.fp, ignored: c.numIgnored })),
    classesWithoutGt: result.classesWithoutGt,
  };
}

/** The detection confusion matrix of a whole dataset (Ultralytics' thresholds, all ground-truth boxes). */
export function vocConfusionMatrix(data: VocDataset): DetectionConfusionMatrix {
  const m = new DetectionConfusionMatrix(Math.max(1, data.classNames.length));
  for (const im of data.images) m.addImage(im.gtBoxes, im.gtClasses, im.dtBoxes, im.dtClasses, im.dtScores);
  return m;
}

/**
 * Adds `detseg eval voc` to the `eval` command group created in `eval.ts`: Pascal VOC AP per class and
 * mAP from folders of per-image files, with optional plots and JSON.
 */
export function registerEvalVoc(evalCommand: Command): void {
  evalCommand
    .command('voc')
    .description('Pascal VOC evaluation: AP per class and mAP from one ground-truth and one detection file per image')
    .requiredOption('--gt <dir>', 'ground truth: VOC XML, or text lines "<class> <left> <top> <width> <height> [<difficult>]"')
    .requiredOption('--dt <dir>', 'detections: text lines "<class> <confidence> <left> <top> <width|right> <height|bottom>"')
    .option('--iou <t>', 'IoU threshold for a true positive (IoU ≥ t), in [0, 1]', '0.5')
    .option('--interp <method>', "AP interpolation: 'all' (VOC2010+, area under the envelope) or '11' (VOC2007)", 'all')
    .option('--plus-one', 'legacy devkit convention: inclusive pixel coordinates, widths x2 − x1 + 1', false)
    .option('--format <fmt>', 'box layout of the detection lines: xywh or xyxy', 'xywh')
    .option('--gt-format <fmt>', 'box layout of ground-truth text lines: xywh or xyxy', 'xywh')
    .option('--names <file>', 'class names, one per line: integer class ids in text files are mapped through it')
    .option('--plots <dir>', 'write SVG figures (PR curves, F1 vs confidence, confusion matrix) into this folder')
    .option('--json <file>', 'write the results as JSON')
    .action((opts: EvalVocOptions) => {
      const iouThreshold = Number(opts.iou);
      if (opts.iou.trim() === '') throw new DetsegInputError('must be a number in [0, 1], got an empty value', { field: '--iou' });
      validateThreshold(iouThreshold, '--iou');
      if (opts.interp !== 'all' && opts.interp !== '11') throw new DetsegInputError(`must be 'all' or '11', got '${opts.interp}'`, { field: '--interp' });
      const names = opts.names ? parseNamesText(readTextFile(resolve(opts.names)), opts.names) : undefined;
      const loaded = loadVocEvalFolders(resolve(opts.gt), resolve(opts.dt), { detFormat: boxFormat(opts.format, '--format'), gtFormat: boxFormat(opts.gtFormat, '--gt-format'), names });
      const result = evaluateVoc(loaded.dataset, { iouThreshold, interp: opts.interp as VocInterpolation, plusOne: opts.plusOne });
      for (const w of loaded.warnings) process.stderr.write(`detseg: warning: ${w}\n`);
      for (const c of result.classesWithoutGt) {
        process.stderr.write(`detseg: warning: ${c.numDetections} detections of class '${c.className}', which has no ground truth: left out of the mAP\n`);
      }
      process.stdout.write(`${formatVocTable(result)}\n`);
      // the JSON and the figures are written together: all of them or none
      const out = new AtomicFiles();
      try {
        if (opts.json) out.add(resolve(opts.json), `${JSON.stringify(vocResultJson(result), null, 1)}\n`, '--json');
        const figures = opts.plots ? vocPlotFiles(result, vocConfusionMatrix(loaded.dataset), loaded.dataset.classNames) : [];
        for (const [name, svg] of figures) out.add(join(resolve(opts.plots!), name), svg, '--plots');
        out.commit();
        if (opts.json) process.stdout.write(`results written to ${resolve(opts.json)}\n`);
        if (opts.plots) process.stdout.write(`${figures.length} figures written to ${resolve(opts.plots)}\n`);
      } catch (err) {
        out.discard();
        throw err;
      }
    });
}
