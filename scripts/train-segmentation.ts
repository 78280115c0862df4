/**
 * Trains a registered segmentation model (unet, fcn, deeplab, segformer) on one of the two benchmark
 * sets and scores it on held-out data (`src/pipeline/shipped-segmentation.ts` says which data and how);
 * the figures of the report's segmentation-families table come from here
 * (`assets/segmentation/results.json`), and `SHIPPED_SEGMENTATION` lists the runs of the shipped models.
 *
 *   node --import tsx scripts/train-segmentation.ts --kind deeplab --task synthetic --train-images 2000 --epochs 10
 *   node --import tsx scripts/train-segmentation.ts --kind segformer --task lv --folds 0,1,2,3,4
 *
 * Options: `--kind`, `--task synthetic|lv`, `--options <json>` (the builder's options), `--epochs`
 * (default 20 synthetic, 50 LV), `--batch` (8 / 4), `--lr` (2e-3), `--min-lr`, `--train-images`
 * (synthetic, default 2000), `--folds` (LV, default all 5), `--seed`, `--out <dir>` (checkpoints
 * `<name>.ckpt` or `<kind>-lv-fold<k>.ckpt` and `<name>.json`, default tmp/segmentation), `--name`
 * (default `<kind>-<task>`), `--resume`, `--init <ckpt>` (synthetic: start from that model's weights
 * with a fresh schedule).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { initEngine } from '../src/engine/setup.js';
import { segmentationFamily } from '../src/models/segmentation-registry.js';
import { trainLvSegmentation, trainSyntheticSegmentation } from '../src/pipeline/shipped-segmentation.js';

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
const name = values.name ?? `${kind}-${values.task}`;
mkdirSync(out, { recursive: true });
await initEngine();
const log = (line: string) => process.stdout.write(`${line}\n`);
// the command as recorded: without --out, other absolute paths (--init) shortened to the file name
const args = process.argv.slice(2);
const recorded = args.flatMap((a, i) => (a === '--out' || args[i - 1] === '--out' ? [] : [a.startsWith('/') ? basename(a) : /[\s'"{}]/.test(a) ? `'${a}'` : a]));
const command = `node --import tsx scripts/train-segmentation.ts ${recorded.join(' ')}`;

if (values.task === 'synthetic') {
  const checkpoint = join(out, `${name}.ckpt`);
  const r = await trainSyntheticSegmentation({
    kind, options, trainImages: Number(values['train-images']), epochs: Number(values.epochs ?? 20), batchSize: Number(values.batch ?? 8), learningRate, minLearningRate, seed,
    init: values.init, checkpoint, resume: values.resume, log,
  });
  log(`held-out mIoU ${r.meanIou.toFixed(4)} (${Object.entries(r.iou).map(([c, v]) => `${c} ${v.toFixed(3)}`).join(', ')}), pixel accuracy ${r.pixelAccuracy.toFixed(4)}, ${r.msPerImage.toFixed(1)} ms/image, ${r.parameters} parameters, ${r.trainSeconds} s → ${checkpoint}`);
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify({ command, ...r }, null, 1)}\n`);
} else if (values.task === 'lv') {
  const folds = values.folds!.split(',').map(Number);
  const scores = await trainLvSegmentation({
    kind, options, folds, epochs: values.epochs === undefined ? undefined : Number(values.epochs), batchSize: values.batch === undefined ? undefined : Number(values.batch),
    learningRate, minLearningRate, seed, checkpoint: (fold) => join(out, `${kind}-lv-fold${fold}.ckpt`), resume: values.resume, log,
  });
  for (const s of scores) log(`fold ${s.fold} held-out ${s.patient}: Dice ${s.dice.toFixed(4)} IoU ${s.iou.toFixed(4)}, ${s.msPerImage.toFixed(1)} ms/image, ${s.trainSeconds} s`);
  const meanDice = scores.reduce((sum, s) => sum + s.dice, 0) / scores.length;
  log(`mean Dice over folds ${folds.join(',')}: ${meanDice.toFixed(4)}`);
  const parameters = (() => {
    const model = family.build(options, 1, 2, seed);
    const n = model.countParams();
    model.dispose();
    return n;
  })();
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify({ command, kind, task: 'lv', options, parameters, meanDice, folds: scores }, null, 1)}\n`);
} else {
  throw new Error(`--task must be synthetic or lv, got '${values.task}'`);
}
