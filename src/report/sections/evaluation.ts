import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { iouPair } from '../../boxes/iou.js';
import { datasetToCoco } from '../../data/coco.js';
import type { CocoDataset } from '../../data/coco-types.js';
import { readVocDir } from '../../data/voc.js';
import { parseNamesText } from '../../data/voc-eval-io.js';
import { evaluateCocoJson, COCO_STAT_NAMES, type CocoEvalResult } from '../../eval/coco.js';
import { numpyMean } from '../../eval/coco-summarize.js';
import { precisionEnvelope } from '../../eval/curves.js';
import { loadVocEvalFolders } from '../../eval/voc-io.js';
import { evaluateVoc, type VocClassResult, type VocDataset, type VocInterpolation, type VocResult } from '../../eval/voc.js';
import { DetsegInputError } from '../../util/errors.js';
import { assetsDir } from '../../util/paths.js';
import { htmlTable, linePlot, type Series } from '../../viz/plot.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';
import { colour, escapeXml } from '../../viz/svg.js';
import { SHAPE_CLASSES } from '../../data/synthetic.js';
import { initEngine } from '../../engine/setup.js';
import { DetectionConfusionMatrix } from '../../eval/confusion.js';
import { confusionMatrixSvg, prCurvesSvg } from '../../eval/plots.js';
import { evaluateDetections } from '../../models/detection/evaluate.js';
import { DEFAULT_SYNTHETIC_RECIPE, heldOutSet, type SyntheticRecipe } from '../../models/detection/recipe.js';
import { imagesToTensor, type DetectionSample } from '../../models/detection/synthetic-data.js';
import type { Detections } from '../../models/detection/types.js';
import { loadDetector } from '../../pipeline/weights.js';
import { shippedFasterRcnnPath } from '../../models/faster-rcnn/checkpoint.js';
import { detectorCheckpoint } from '../../pipeline/shipped-chain.js';

/**
 * The practical's "Model evaluation" section, as the lecture teaches it, every number computed when the
 * report is built: on the published toy example of Padilla et al. (`assets/eval-demo/`: 10 images, 12
 * `cat` objects, 12 detections) the detections in score order with TP/FP and cumulative precision and
 * recall, the PR curve with its all-point envelope and 11-point samples, AP@0.5 and AP@0.75 beside the
 * published values; then COCO's AP averaged over IoU 0.50:0.05:0.95 on the same example (the 12
 * statistics and AP against the IoU threshold, from the precision array); last, the shipped Faster R-CNN
 * on the held-out synthetic images (12 statistics, per-class PR curves, confusion matrix).
 */

/** The VOC APs published with the toy example (fractions, rounded to {@link PUBLISHED_DECIMALS} decimals). */
export interface PublishedToyAps {
  /** Where the numbers were published. */
  source: string;
  /** AP by IoU threshold (`'0.5'`, `'0.75'`) and interpolation. */
  ap: Record<string, Record<VocInterpolation, number>>;
}

/** Decimals of the published fractions (89.58 % = 0.8958). */
export const PUBLISHED_DECIMALS = 4;

/** The toy example, loaded for evaluation. */
export interface EvalDemo {
  /** Ground truth and detections, VOC style (boxes xyxy in the devkit's pixels, as written). */
  dataset: VocDataset;
  /** The same ground truth converted to a COCO dataset in memory (`data/voc.ts` → `data/coco.ts`). */
  cocoGt: CocoDataset;
  /** The detections as a COCO results list (`bbox` = [x, y, w, h], `score`), in image then file order. */
  cocoResults: { image_id: number; category_id: number; bbox: [number, number, number, number]; score: number }[];
  published: PublishedToyAps;
}

/**
 * Loads the toy example from `dir` (default `assets/eval-demo`): `ground-truth/*.xml` (Pascal VOC),
 * `detections/*.txt` (`<class> <score> <x1> <y1> <x2> <y2>` per line), `voc.names` (class order) and
 * `expected_published.json`. Bad files throw a {@link DetsegInputError} naming the file and field.
 */
export function loadEvalDemo(dir = assetsDir('eval-demo')): EvalDemo {
  const namesFile = join(dir, 'voc.names');
  const names = parseNamesText(readFileSync(namesFile, 'utf8'), namesFile);
  const gtDir = join(dir, 'ground-truth');
  const { dataset } = loadVocEvalFolders(gtDir, join(dir, 'detections'), { detFormat: 'xyxy', names });
  const detection = readVocDir(gtDir, { classNames: dataset.classNames });
  const cocoGt = datasetToCoco(detection, { description: 'voc_toy_cats, converted in memory by detseg' });
  // both readers list the XML files in name order; check the pairing before relying on it
  if (cocoGt.images.length !== dataset.images.length) throw new Error(`eval demo: ${cocoGt.images.length} COCO images for ${dataset.images.length} VOC images`);
  const cocoResults: EvalDemo['cocoResults'] = [];
  dataset.images.forEach((im, i) => {
    const cocoImage = cocoGt.images[i];
    const stem = basename(cocoImage.file_name, extname(cocoImage.file_name));
    if (stem !== im.name) throw new DetsegInputError(`<filename> ${cocoImage.file_name} does not match the file name ${im.name}.xml`, { file: join(gtDir, `${im.name}.xml`), field: 'annotation.filename' });
    for (let j = 0; j < im.dtScores.length; j++) {
      const b = im.dtBoxes.subarray(4 * j, 4 * j + 4);
      cocoResults.push({ image_id: cocoImage.id, category_id: cocoGt.categories[im.dtClasses[j]].id, bbox: [b[0], b[1], b[2] - b[0], b[3] - b[1]], score: im.dtScores[j] });
    }
  });
  const publishedFile = join(dir, 'expected_published.json');
  const raw = JSON.parse(readFileSync(publishedFile, 'utf8')) as Record<string, unknown>;
  const ap: PublishedToyAps['ap'] = {};
  for (const t of ['0.5', '0.75']) {
    const entry = raw[`AP@${t}`] as { eleven_point?: unknown; every_point?: unknown } | undefined;
    if (typeof entry?.eleven_point !== 'number' || typeof entry.every_point !== 'number') throw new DetsegInputError('expected {eleven_point, every_point} numbers', { file: publishedFile, field: `AP@${t}` });
    ap[t] = { '11': entry.eleven_point, all: entry.every_point };
  }
  return { dataset, cocoGt, cocoResults, published: { source: String(raw.source ?? publishedFile), ap } };
}

/** One row of the worked example: a detection of the class, in decreasing score order. */
export interface WorkedRow {
  rank: number;
  image: string;
  score: number;
  /** Best IoU with a ground-truth object of the class in its image (0 when there is none). */
  iou: number;
  tp: boolean;
  cumTp: number;
  cumFp: number;
  precision: number;
  recall: number;
}

/** The rows of the lecture's table for one evaluated class (all its detections taken, in score order). */
export function workedRows(data: VocDataset, c: VocClassResult): WorkedRow[] {
  const rows: WorkedRow[] = [];
  let cumTp = 0;
  for (let r = 0; r < c.scores.length; r++) {
    const im = data.images[c.imageIndex[r]];
    const d = 4 * c.detectionIndex[r];
    let best = 0;
    for (let g = 0; g < im.gtClasses.length; g++) {
      if (im.gtClasses[g] !== c.classId) continue;
      const o = iouPair(im.dtBoxes[d], im.dtBoxes[d + 1], im.dtBoxes[d + 2], im.dtBoxes[d + 3], im.gtBoxes[4 * g], im.gtBoxes[4 * g + 1], im.gtBoxes[4 * g + 2], im.gtBoxes[4 * g + 3]);
      if (o > best) best = o;
    }
    cumTp += c.isTp[r];
    rows.push({ rank: r + 1, image: im.name, score: c.scores[r], iou: best, tp: c.isTp[r] === 1, cumTp, cumFp: r + 1 - cumTp, precision: c.curve.precision[r], recall: c.curve.recall[r] });
  }
  return rows;
}

/**
 * The 11 samples of the VOC2007 AP: at recall t = k × 0.1 (numpy's grid, as the reference tools), the
 * highest precision at recall ≥ t (0 when never reached). `recall, precision: [K]` → `Float64Array [11]`
 * of precisions; their mean is the 11-point AP.
 */
export function elevenPointSamples(recall: ArrayLike<number>, precision: ArrayLike<number>): Float64Array {
  const samples = new Float64Array(11);
  for (let k = 0; k <= 10; k++) {
    const t = k * 0.1;
    for (let i = 0; i < recall.length; i++) if (recall[i] >= t && precision[i] > samples[k]) samples[k] = precision[i];
  }
  return samples;
}

/**
 * COCO AP at each IoU threshold, from the precision array `[T,R,K,A,M]` of a {@link CocoEvalResult}:
 * for threshold t the mean of the defined cells (> −1) of precision[t, :, :, area 'all', last maxDets],
 * as pycocotools' `_summarize(1, iouThr=t)`. `Float64Array [T]`, −1 where nothing is defined.
 */
export function apPerIouThreshold(result: CocoEvalResult): Float64Array {
  const { T, R, K, A, M } = result.dims;
  const a = result.params.areaRngLbl.indexOf('all');
  const m = M - 1;
  const out = new Float64Array(T);
  const cells: number[] = [];
  for (let t = 0; t < T; t++) {
    cells.length = 0;
    for (let r = 0; r < R; r++) {
      for (let k = 0; k < K; k++) {
        const v = result.precision[(((t * R + r) * K + k) * A + a) * M + m];
        if (v > -1) cells.push(v);
      }
    }
    out[t] = cells.length ? numpyMean(cells) : -1;
  }
  return out;
}

const pct = (v: number, digits = 2) => `${(100 * v).toFixed(digits)} %`;

/** Whether `value` rounds to `published` at the published precision. */
export function equalsPublished(value: number, published: number, decimals = PUBLISHED_DECIMALS): boolean {
  return Number(value.toFixed(decimals)) === published;
}

/** PR figure of one class: the raw curve (a dot per detection), its all-point envelope, the 11-point samples. */
function prFigure(c: VocClassResult, iouThreshold: number, ap11: number, apAll: number): string {
  const env = precisionEnvelope(c.curve.recall, c.curve.precision); // [K+2]
  // the envelope holds env.precision[i] on (recall[i−1], recall[i]]: a step series over the recalls
  const k = c.curve.recall.length;
  const envYs = new Float64Array(k + 2);
  envYs.set(env.precision.subarray(1));
  const samples = elevenPointSamples(c.curve.recall, c.curve.precision);
  const series: Series[] = [
    { label: `all-point envelope: AP ${pct(apAll)}`, xs: env.recall, ys: envYs, step: true, dashed: true, colour: colour(3) },
    { label: 'precision, recall after each detection', xs: c.curve.recall, ys: c.curve.precision, marker: true, colour: colour(0) },
    { label: `11-point samples: AP ${pct(ap11)}`, xs: Array.from({ length: 11 }, (_, i) => i * 0.1), ys: samples, line: false, colour: colour(2) },
  ];
  return linePlot(series, {
    title: `${c.className}, IoU ≥ ${iouThreshold}: ${c.tp} TP, ${c.fp} FP of ${c.numGt} objects`,
    xLabel: 'recall',
    yLabel: 'precision',
    xRange: [0, 1],
    yRange: [0, 1.05],
    width: 520,
    legend: 'inside-bottom-left',
  });
}

/** Held-out images of the Faster R-CNN part under `--quick` (otherwise the recipe's whole held-out split, 200). */
export const QUICK_DETECTOR_IMAGES = 32;

/**
 * The held-out synthetic images and a detector's detections (one per image, labels 1..C) as a VOC
 * evaluation set with classes 0..C−1 = {@link SHAPE_CLASSES}.
 */
export function detectionsToVocDataset(samples: DetectionSample[], detections: Detections[]): VocDataset {
  return {
    classNames: [...SHAPE_CLASSES],
    images: samples.map((s, i) => ({
      name: `held-out ${i}`,
      gtBoxes: Float64Array.from(s.sample.boxes),
      gtClasses: Int32Array.from(s.sample.labels),
      gtDifficult: new Uint8Array(s.sample.labels.length),
      dtBoxes: Float64Array.from(detections[i].boxes),
      dtClasses: Int32Array.from(detections[i].labels, (l) => l - 1),
      dtScores: Float64Array.from(detections[i].scores),
    })),
  };
}

/** What the Faster R-CNN part computed. */
export interface DetectorEvaluation {
  images: number;
  coco: CocoEvalResult;
  voc: VocResult;
  confusion: DetectionConfusionMatrix;
  html: string;
}

/**
 * Faster R-CNN (`checkpoint`, default the shipped one) on the first `count` held-out synthetic images of
 * its training recipe (`meta.recipe`; default all of them, {@link QUICK_DETECTOR_IMAGES} under `quick`):
 * COCO's 12 statistics, per-class PR curves at IoU 0.5 (VOC all-point) and the confusion matrix
 * (figures `eval-frcnn-pr.svg`, `eval-frcnn-confusion.svg`).
 */
export async function fasterRcnnEvaluation(ctx: ReportContext, checkpoint = shippedFasterRcnnPath(), count = ctx.options.quick ? QUICK_DETECTOR_IMAGES : Infinity): Promise<DetectorEvaluation> {
  await initEngine();
  const detector = loadDetector('faster-rcnn', checkpoint);
  try {
    const recipe = (detector.meta.recipe as SyntheticRecipe | undefined) ?? DEFAULT_SYNTHETIC_RECIPE;
    const samples = heldOutSet({ ...recipe, valImages: Math.min(count, recipe.valImages) });
    const detections: Detections[] = [];
    for (let i = 0; i < samples.length; i += 8) {
      const chunk = samples.slice(i, i + 8);
      const images = imagesToTensor(chunk.map((s) => s.sample.image), recipe.imageSize, recipe.imageSize); // [B, H, W, 3]
      detections.push(...detector.predict(images, chunk.map((s) => s.sample.image)));
      images.dispose();
    }
    const coco = evaluateDetections(samples, detections, 'bbox');
    const data = detectionsToVocDataset(samples, detections);
    const voc = evaluateVoc(data, { iouThreshold: 0.5, interp: 'all' });
    const confusion = new DetectionConfusionMatrix(SHAPE_CLASSES.length);
    for (const im of data.images) confusion.addImage(im.gtBoxes, im.gtClasses, im.dtBoxes, im.dtClasses, im.dtScores);
    const pr = ctx.figure('eval-frcnn-pr.svg', prCurvesSvg(voc));
    const cm = ctx.figure('eval-frcnn-confusion.svg', confusionMatrixSvg(confusion, SHAPE_CLASSES));
    const trained = detector.meta.metrics as { mAP?: number } | undefined; // measured on heldOutSet(recipe)
    const whole = samples.length === recipe.valImages;
    let recorded = '';
    if (typeof trained?.mAP === 'number') {
      recorded = `<p class="note">Recorded in the checkpoint when training ended, on all ${recipe.valImages} held-out images: AP@[.50:.95] = ${trained.mAP.toFixed(4)}`;
      recorded += whole ? (Math.abs(trained.mAP - coco.stats[0]) < 1e-9 ? ' — the same as now ✓.</p>' : ` — ✗ not the ${coco.stats[0].toFixed(4)} computed now.</p>`) : '.</p>';
    }
    const html = [
      `<h3>Faster R-CNN on held-out synthetic images</h3>`,
      `<p>Faster R-CNN (<code>${escapeXml(basename(checkpoint))}</code>) on ${whole ? `the ${samples.length}` : `the first ${samples.length} of the ${recipe.valImages}`} held-out synthetic images of its recipe `,
      `(seed ${recipe.valSeed}, ${recipe.imageSize}×${recipe.imageSize}, 1–8 circles, squares and triangles; never seen in training), predicted and evaluated by COCOeval `,
      'when this report was built; per class also the VOC all-point AP at IoU 0.5 with its TP and FP counts.</p>',
      `<pre>${coco.lines.map(escapeXml).join('\n')}</pre>`,
      htmlTable(['class', 'COCO AP@[.50:.95]', 'VOC AP@0.5 (all-point)', 'objects', 'TP', 'FP'], coco.perClass.map((p, k) => {
        const c = voc.classes.find((v) => v.classId === k);
        return [p.name, p.ap < 0 ? '–' : p.ap.toFixed(4), c ? c.ap.toFixed(4) : '–', c?.numGt ?? 0, c?.tp ?? 0, c?.fp ?? 0];
      })),
      recorded,
      figureHtml(pr, `Interpolated PR curves per class at IoU ≥ 0.5, mAP@0.5 = ${(100 * voc.mAP).toFixed(1)} %.`),
      figureHtml(cm, 'Confusion matrix (conf > 0.25, IoU > 0.45; columns: true class, rows: predicted; background catches misses and false alarms).'),
    ].join('');
    return { images: samples.length, coco, voc, confusion, html };
  } finally {
    detector.dispose();
  }
}

/**
 * `evaluation` section: the worked VOC example, COCO's AP over IoU thresholds and, when the shipped
 * checkpoint is there, Faster R-CNN's held-out evaluation (see the file comment).
 */
export async function evaluationSection(ctx: ReportContext): Promise<ReportSection> {
  const demo = loadEvalDemo();
  const { dataset, published } = demo;
  const thresholds = ['0.5', '0.75'];
  const results = thresholds.map((t) => ({
    t,
    all: evaluateVoc(dataset, { iouThreshold: Number(t), interp: 'all' }),
    eleven: evaluateVoc(dataset, { iouThreshold: Number(t), interp: '11' }),
  }));
  const first = results[0].all.classes[0];
  if (!first) throw new Error('eval demo: no class with ground truth');
  const shownRows = 15;
  const rows = workedRows(dataset, first);
  const at075 = results[1].all.classes.find((c) => c.classId === first.classId)!;
  const tp075 = new Map<string, boolean>();
  for (let r = 0; r < at075.scores.length; r++) tp075.set(`${at075.imageIndex[r]}/${at075.detectionIndex[r]}`, at075.isTp[r] === 1);
  const workedTable = htmlTable(
    ['rank', 'image', 'confidence', 'best IoU', 'IoU ≥ 0.5', 'cum. TP', 'cum. FP', 'precision', 'recall', 'IoU ≥ 0.75'],
    rows.slice(0, shownRows).map((w, r) => [
      w.rank, w.image, w.score.toFixed(2), w.iou.toFixed(3), w.tp ? 'TP' : 'FP', w.cumTp, w.cumFp, `${w.cumTp}/${w.rank} = ${w.precision.toFixed(3)}`, `${w.cumTp}/${first.numGt} = ${w.recall.toFixed(3)}`,
      tp075.get(`${first.imageIndex[r]}/${first.detectionIndex[r]}`) ? 'TP' : 'FP',
    ]),
  );
  const prFigures = results.map(({ t, all, eleven }) => {
    const cAll = all.classes.find((c) => c.classId === first.classId)!;
    const c11 = eleven.classes.find((c) => c.classId === first.classId)!;
    const name = ctx.figure(`eval-toy-pr-${t.replace('.', '')}.svg`, prFigure(cAll, Number(t), c11.ap, cAll.ap));
    return figureHtml(name, `PR curve of ${first.className} at IoU ≥ ${t}: a dot per detection taken in score order; dashed, the all-point envelope (its area is the all-point AP); green, the 11-point samples (their mean is the 11-point AP).`);
  });
  // AP per class (one here) and mAP, beside the published values
  const apRows: (string | number)[][] = [];
  for (const { t, all, eleven } of results) {
    for (const [interp, r] of [['11', eleven], ['all', all]] as const) {
      const pub = published.ap[t][interp];
      for (const c of r.classes) apRows.push([t, interp === '11' ? '11-point (VOC2007)' : 'all-point (VOC2010+)', `AP ${c.className}`, pct(c.ap, 4), '', '']);
      apRows.push([t, interp === '11' ? '11-point (VOC2007)' : 'all-point (VOC2010+)', `mAP@${t} (${r.classes.length} class${r.classes.length === 1 ? '' : 'es'})`, pct(r.mAP, 4), pct(pub), equalsPublished(r.mAP, pub) ? '✓' : '✗']);
    }
  }
  const apTable = htmlTable(['IoU threshold', 'interpolation', 'what', 'detseg', 'published', `equal to ${PUBLISHED_DECIMALS - 2} decimals of %`], apRows);

  // COCO: AP averaged over IoU 0.50:0.05:0.95 on the same example
  const coco = evaluateCocoJson(demo.cocoGt, demo.cocoResults, { iouType: 'bbox' });
  const apByIou = apPerIouThreshold(coco);
  const iouThrs = Array.from(coco.params.iouThrs);
  const vocAllByIou = iouThrs.map((t) => evaluateVoc(dataset, { iouThreshold: t, interp: 'all' }).mAP);
  const apFigure = ctx.figure('eval-toy-ap-vs-iou.svg', linePlot([
    { label: 'COCO AP (101-point)', xs: iouThrs, ys: apByIou, marker: true, colour: colour(0) },
    { label: 'VOC all-point AP', xs: iouThrs, ys: vocAllByIou, marker: true, dashed: true, colour: colour(3) },
    { label: `AP@[.50:.95] = ${pct(coco.stats[0])}`, xs: [iouThrs[0], iouThrs[iouThrs.length - 1]], ys: [coco.stats[0], coco.stats[0]], colour: '#777', dashed: true },
  ], { title: `${first.className}: AP against the IoU threshold`, xLabel: 'IoU threshold', yLabel: 'AP', yRange: [0, 1], xRange: [0.5, 0.95], width: 520, legend: 'inside-bottom-left' }));
  const statsTable = htmlTable(['statistic', 'value'], COCO_STAT_NAMES.map((n, i) => [n, coco.stats[i] < 0 ? '−1 (no object in that area range)' : coco.stats[i].toFixed(4)]));
  const iouTable = htmlTable(['IoU threshold', ...iouThrs.map((t) => t.toFixed(2))], [
    ['COCO AP', ...Array.from(apByIou, (v) => v.toFixed(4))],
    ['VOC all-point AP', ...vocAllByIou.map((v) => v.toFixed(4))],
  ]);
  // the COCO file published with the example numbers its first annotation 0, which pycocotools treats as "unmatched"
  const quirkGt = { ...demo.cocoGt, annotations: demo.cocoGt.annotations.map((a, i) => (i === 0 ? { ...a, id: 0 } : a)) };
  const quirk = evaluateCocoJson(quirkGt, demo.cocoResults, { iouType: 'bbox' });

  const html = [
    '<h3>A worked example: Pascal VOC AP</h3>',
    `<p>The published toy example of Padilla et al. (${escapeXml(published.source)}): ${dataset.images.length} images with ${first.numGt} `,
    `<code>${escapeXml(first.className)}</code> objects and ${first.scores.length} detections, in <code>assets/eval-demo/</code>. `,
    'Per class, the detections are taken in decreasing confidence; each takes the ground-truth box of its image with the highest IoU (see <a href="#iou">Intersection over union</a>): ',
    'IoU ≥ the threshold and that box still free → true positive (the box is taken); otherwise a false positive. After each detection, ',
    'precision = TP / detections so far and recall = TP / objects.</p>',
    workedTable,
    `<p>The PR curve joins these points. AP is the area under it, made monotone first: the <em>all-point</em> AP (VOC2010+) integrates the `,
    'envelope (at each recall, the best precision at that recall or beyond); the <em>11-point</em> AP (VOC2007) averages the envelope at ',
    'recall 0, 0.1, …, 1. At IoU ≥ 0.75 fewer detections count as hits and AP falls.</p>',
    ...prFigures,
    '<p>mAP is the mean of the per-class APs over the classes with ground truth (here one: the other 19 VOC classes have neither objects nor detections). ',
    'Computed by <code>evaluateVoc</code> (<code>src/eval/voc.ts</code>) when this report was built, beside the values published with the example:</p>',
    apTable,
    '<h3>COCO: AP averaged over IoU 0.50:0.05:0.95</h3>',
    '<p>COCO\'s primary metric averages AP over ten IoU thresholds, rewarding precise localisation, with 101 recall samples per curve, and ',
    'reports it by object size (all objects here are large: over 96² px) and recall at 1, 10, 100 detections per image. The same example, ',
    `converted to COCO in memory (<code>readVocDir</code> → <code>datasetToCoco</code>) and evaluated by <code>evaluateCocoJson</code> `,
    '(<code>src/eval/coco.ts</code>, pycocotools-exact):</p>',
    `<pre>${coco.lines.map(escapeXml).join('\n')}</pre>`,
    statsTable,
    figureHtml(apFigure, `AP of ${first.className} at each IoU threshold, from COCOeval's precision array [T,R,K,A,M] (area all, 100 detections), and VOC's all-point AP at the same thresholds; dashed grey, COCO's AP@[.50:.95], the mean of the blue points.`),
    iouTable,
    `<p class="note">The COCO version of this example published with it numbers its first ground-truth annotation 0; pycocotools records a match to `,
    `annotation 0 as "no match", so with that file it reports AP@[.50:.95] = ${quirk.stats[0].toFixed(4)} and AP50 = ${quirk.stats[1].toFixed(4)} `,
    `instead of ${coco.stats[0].toFixed(4)} and ${coco.stats[1].toFixed(4)} (our conversion numbers annotations from 1).</p>`,
    existsSync(detectorCheckpoint(ctx.checkpoints, 'faster-rcnn'))
      ? (await fasterRcnnEvaluation(ctx, detectorCheckpoint(ctx.checkpoints, 'faster-rcnn'))).html
      : '<p class="note">The shipped Faster R-CNN checkpoint is missing: its held-out evaluation is left out.</p>',
  ].join('');
  return { id: 'evaluation', title: 'Model evaluation', html };
}
