/**
 * Trains a registered segmentation model (unet, fcn, deeplab, segformer) on one of the two benchmark
 * sets and scores it on held-out data; the figures of the report's segmentation-families table come
 * from here (`assets/segmentation/results.json`, one entry per model and task).
 *
 *   node --import tsx scripts/train-segmentation.ts --kind deeplab --task synthetic
 *   node --import tsx scripts/train-segmentation.ts --kind segformer --task lv --folds 0,1,2,3,4
 *
 * - `synthetic`: the shapes' semantic maps (background, circle, square, triangle), training images
 *   0 … n−1 of seed 1, held-out images 0 … 199 of seed 2 (the detectors' held-out set), 128² crops with
 *   shifts of up to 16 px and flips; held-out mean IoU after every epoch, pooled over the 200 images.
 * - `lv`: the Sunnybrook LV slices, 5 folds by patient (train on 4 patients, score the 5th), with the
 *   LV practical's input (centre 96×96 window, re-windowed on it), shifts of up to 12 px, flips and
 *   gamma; the Dice of the LV class pooled over the held-out patient's slices, as the practical scores
 *   its U-Net.
 *
 * Options: `--kind`, `--task`, `--options <json>` (the builder's options), `--epochs`, `--batch`, `--lr`,
 * `--min-lr`, `--train-images` (synthetic), `--folds` (lv), `--seed`, `--out <dir>` (checkpoints
 * `<kind>-<task>[-fold<k>].ckpt` and `<kind>-<task>.json`, default tmp/segmentation), `--resume`,
 * `--init <ckpt>` (synthetic: start from that model's weights with a fresh schedule; `--name` then
 * names the outputs instead of `<kind>-synthetic`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSunnybrook } from '../src/data/sunnybrook.js';
import { initEngine } from '../src/engine/setup.js';
import { segmentationFamily } from '../src/models/segmentation-registry.js';
import { sunnybrookLabelDataset, syntheticLabelDataset, type LabelDataset } from '../src/models/segmentation-data.js';
import { evaluateSegmentation, trainSegmentation } from '../src/models/segmentation-train.js';

const { values } = parseArgs({
  options: {
    kind: { type: 'string' },
    task: { type: 'string', default: 'synthetic' },
    options: { type: 'string', default: '{}' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string', default: '2e-3' },
    'min-lr': { type: 'string' },
    'train-images': { type: 'string', default: '2000' },
    folds: { type: 'string', default: '0,1,2,3,4' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string', default: 'tmp/segmentation' },
    name: { type: 'string' },
    resume: { type: 'boolean', default: false },
    init: { type: 'string' },
  },
});
const kind = values.kind ?? '';
const family = segmentationFamily(kind, '--kind');
const options = JSON.parse(values.options!) as Record<string, unknown>;
const learningRate = Number(values.lr);
const minLearningRate = values['min-lr'] !== undefined ? Number(values['min-lr']) : undefined;
const seed = Number(values.seed);
const out = values.out!;
mkdirSync(out, { recursive: true });
await initEngine();
const log = (line: string) => process.stdout.write(`${line}\n`);
const params = (data: LabelDataset) => {
  const model = family.build(options, data.samples[0].channels, data.classNames.length, seed);
  const n = model.countParams();
  model.dispose();
  return n;
};

if (values.task === 'synthetic') {
  const trainCount = Number(values['train-images']);
  const train = syntheticLabelDataset(1, trainCount);
  const held = syntheticLabelDataset(2, 200);
  const data: LabelDataset = { samples: [...train.samples, ...held.samples], classNames: train.classNames };
  const trainIndices = train.samples.map((_, i) => i);
  const valIndices = held.samples.map((_, i) => trainCount + i);
  const epochs = Number(values.epochs ?? 20);
  const batchSize = Number(values.batch ?? 8);
  const name = values.name ?? `${kind}-synthetic`;
  const checkpoint = join(out, `${name}.ckpt`);
  const t0 = performance.now();
  const { model, result } = await trainSegmentation({
    kind, options, data, trainIndices, valIndices, crop: 128, maxShift: 16, epochs, batchSize, learningRate, minLearningRate, seed, checkpoint, resume: values.resume, init: values.init, log,
    progress: false,
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  for (const r of result.history) log(`epoch ${r.epoch + 1} loss ${r.loss.toFixed(4)} val mIoU ${(r.metrics.val_miou ?? NaN).toFixed(4)} ${r.seconds.toFixed(1)} s`);
  const evaluation = evaluateSegmentation(model, data.samples, valIndices, data.classNames.length, family.multiple(options));
  const entry = {
    kind, task: 'synthetic', options, init: values.init ?? null, trainImages: trainCount, heldOutImages: 200, epochs, batchSize, learningRate, seed,
    parameters: model.countParams(), trainSeconds: Math.round(trainSeconds),
    meanIou: evaluation.metrics.meanIou, iou: Object.fromEntries(data.classNames.map((c, i) => [c, evaluation.metrics.iou[i]])),
    pixelAccuracy: evaluation.metrics.pixelAccuracy, msPerImage: evaluation.msPerImage,
  };
  log(`held-out mIoU ${entry.meanIou.toFixed(4)} (${data.classNames.map((c, i) => `${c} ${evaluation.metrics.iou[i].toFixed(3)}`).join(', ')}), pixel accuracy ${entry.pixelAccuracy.toFixed(4)}, ${entry.msPerImage.toFixed(1)} ms/image, ${entry.parameters} parameters, ${entry.trainSeconds} s → ${checkpoint}`);
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(entry, null, 1)}\n`);
  model.dispose();
} else if (values.task === 'lv') {
  const sunnybrook = loadSunnybrook();
  const crop = 96;
  const trainSet = sunnybrookLabelDataset(sunnybrook, crop, 12);
  const testSet = sunnybrookLabelDataset(sunnybrook, crop, 0);
  const epochs = Number(values.epochs ?? 50);
  const batchSize = Number(values.batch ?? 4);
  const folds = values.folds!.split(',').map(Number);
  const results: Array<Record<string, unknown>> = [];
  for (const fold of folds) {
    const patient = sunnybrook.patients[fold];
    const trainIndices = trainSet.samples.flatMap((s, i) => (s.group === patient ? [] : [i]));
    const testIndices = testSet.samples.flatMap((s, i) => (s.group === patient ? [i] : []));
    const checkpoint = join(out, `${kind}-lv-fold${fold}.ckpt`);
    const t0 = performance.now();
    const { model, result } = await trainSegmentation({
      kind, options, data: trainSet, trainIndices, crop, maxShift: 12, gammaJitter: 0.4, epochs, batchSize, learningRate, minLearningRate: minLearningRate ?? 1e-4,
      seed: seed + fold, checkpoint, resume: values.resume, log, progress: false,
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    const last = result.history[result.history.length - 1];
    const evaluation = evaluateSegmentation(model, testSet.samples, testIndices, 2, family.multiple(options));
    const entry = { fold, patient, dice: evaluation.metrics.dice[1], iou: evaluation.metrics.iou[1], pixelAccuracy: evaluation.metrics.pixelAccuracy, msPerImage: evaluation.msPerImage, trainSeconds: Math.round(trainSeconds), loss: last?.loss };
    log(`fold ${fold} held-out ${patient}: Dice ${entry.dice.toFixed(4)} IoU ${entry.iou.toFixed(4)}, ${entry.msPerImage.toFixed(1)} ms/image, ${entry.trainSeconds} s → ${checkpoint}`);
    results.push(entry);
    model.dispose();
  }
  const summary = {
    kind, task: 'lv', options, crop, epochs, batchSize, learningRate, seed, parameters: params(testSet),
    meanDice: results.reduce((s, r) => s + (r.dice as number), 0) / results.length, folds: results,
  };
  log(`mean Dice over folds ${folds.join(',')}: ${summary.meanDice.toFixed(4)}`);
  writeFileSync(join(out, `${kind}-lv${folds.length === 5 ? '' : `-folds${folds.join('')}`}.json`), `${JSON.stringify(summary, null, 1)}\n`);
} else {
  throw new Error(`--task must be synthetic or lv, got '${values.task}'`);
}
