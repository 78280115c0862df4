import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { parse, resolve } from 'node:path';
import { decodeImage, imagePaths } from '../../data/images.js';
import { maskToCocoRle } from '../../masks/coco-mask.js';
import { SHAPE_CLASSES } from '../../data/synthetic.js';
import { initEngine } from '../../engine/setup.js';
import { formatRcnnFamily, benchRcnnFamily, rcnnFamilyCheckpoints } from '../../benchmarks/rcnn-family.js';
import { DEFAULT_SYNTHETIC_RECIPE } from '../../models/detection/recipe.js';
import { imagesToTensor } from '../../models/detection/synthetic-data.js';
import { trainOnSynthetic } from '../../models/train-synthetic.js';
import { DETECTOR_KINDS, loadDetector, shippedDetectorPath } from '../../models/zoo.js';
import { RCNN_TRAIN_OPTIONS } from '../../models/rcnn/checkpoint.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { DetsegInputError } from '../../util/errors.js';
import { positiveNumber, wholeNumber } from '../options.js';

/**
 * The detectors of the R-CNN family on the command line: `detseg train <model>` (synthetic shapes,
 * held-out COCO evaluation, checkpoint), `detseg predict <model>` (detections of image files as COCO
 * results JSON) and `detseg bench rcnn-family` (seconds per image split into proposals and network, with
 * mAP). Models: rcnn, fast-rcnn, faster-rcnn, mask-rcnn.
 */

/** Adds `detseg train <rcnn|fast-rcnn|faster-rcnn|mask-rcnn>` to the `train` command group. */
export function registerDetectorTrain(trainCmd: Command): void {
  for (const kind of DETECTOR_KINDS) {
    const command = trainCmd
      .command(kind)
      .description(`train ${kind} on the synthetic shapes and evaluate it on a held-out split (COCO mAP)`)
      .option('--steps <n>', 'optimisation steps (2 images each)', kind === 'rcnn' || kind === 'fast-rcnn' ? '300' : kind === 'mask-rcnn' ? '3000' : '6000')
      .option('--lr <rate>', 'peak Adam learning rate (cosine schedule)', kind === 'rcnn' || kind === 'fast-rcnn' ? '3e-4' : '1e-3')
      .option('--budget <seconds>', 'stop training after this many seconds')
      .option('--init <checkpoint>', 'Faster R-CNN checkpoint initialising the backbone (Fast R-CNN: also its box head; Mask R-CNN: every Faster R-CNN part), or a checkpoint of the same kind to continue')
      .option('--train-images <n>', 'training images (seed 1)', String(DEFAULT_SYNTHETIC_RECIPE.trainImages))
      .option('--val <n>', 'held-out images (seed 2)', String(DEFAULT_SYNTHETIC_RECIPE.valImages))
      .option('-o, --out <file>', 'checkpoint to write', `detector-${kind}.ckpt`);
    if (kind === 'rcnn') command.option('--warp <pixels>', 'side every proposal is warped to (a multiple of the backbone stride 8)', String(RCNN_TRAIN_OPTIONS.warpSize));
    command.action(async (opts: { steps: string; lr: string; budget?: string; init?: string; trainImages: string; val: string; out: string; warp?: string }) => {
        const steps = wholeNumber(opts.steps, '--steps', 1);
        const warp = opts.warp === undefined ? undefined : wholeNumber(opts.warp, '--warp', 8);
        if (warp !== undefined && warp % 8 !== 0) throw new DetsegInputError(`must be a multiple of the backbone stride 8, got ${warp}`, { field: '--warp' });
        const learningRate = positiveNumber(opts.lr, '--lr');
        const budgetSeconds = opts.budget === undefined ? undefined : positiveNumber(opts.budget, '--budget');
        const recipe = { ...DEFAULT_SYNTHETIC_RECIPE, trainImages: wholeNumber(opts.trainImages, '--train-images', 1), valImages: wholeNumber(opts.val, '--val', 1) };
        const init = opts.init === undefined ? undefined : resolve(opts.init);
        if (init !== undefined && !existsSync(init)) throw new DetsegInputError('checkpoint does not exist', { file: init, field: '--init' });
        await initEngine();
        const out = resolve(opts.out);
        const modelOptions = warp === undefined ? undefined : { warpSize: warp };
        const report = trainOnSynthetic(kind, { steps, learningRate, budgetSeconds, init, out, recipe, modelOptions, log: (line) => process.stderr.write(`${line}\n`) });
        const m = report.metrics as Record<string, number>;
        process.stdout.write(`${report.lines.join('\n')}\n`);
        process.stdout.write(`${kind}: held-out COCO mAP ${m.mAP.toFixed(4)}, mAP@0.5 ${m.mAP50.toFixed(4)}${m.maskAP !== undefined ? `, mask AP ${m.maskAP.toFixed(4)}` : ''} → ${out}\n`);
    });
  }
}

/** Adds `detseg predict <rcnn|fast-rcnn|faster-rcnn|mask-rcnn>` to the `predict` command group. */
export function registerDetectorPredict(predictCmd: Command): void {
  for (const kind of DETECTOR_KINDS) {
    predictCmd
      .command(kind)
      .description(`detect circles, squares and triangles with ${kind}; writes COCO results JSON`)
      .option('--checkpoint <file>', 'detector checkpoint (default: the shipped one)')
      .requiredOption('--input <path>', 'an image file or a folder of images')
      .option('-o, --out <file>', 'COCO results JSON (image_id = position in sorted file order + 1)', 'detections.json')
      .option('--score <threshold>', 'keep detections scoring at least this', '0.05')
      .action(async (opts: { checkpoint?: string; input: string; out: string; score: string }) => {
        const files = imagePaths(resolve(opts.input), '--input');
        const minScore = Number(opts.score);
        if (!(minScore >= 0 && minScore <= 1)) throw new DetsegInputError(`must be a number in [0, 1], got '${opts.score}'`, { field: '--score' });
        const checkpoint = resolve(opts.checkpoint ?? shippedDetectorPath(kind));
        if (!existsSync(checkpoint)) throw new DetsegInputError('checkpoint does not exist', { file: checkpoint, field: '--checkpoint' });
        await initEngine();
        const detector = loadDetector(kind, checkpoint);
        const results: object[] = [];
        try {
          for (const [index, file] of files.entries()) {
            const rgb = await decodeImage(file);
            // pad bottom/right with grey (0 after normalisation) to a multiple of the stride
            const h = Math.ceil(rgb.height / detector.stride) * detector.stride, w = Math.ceil(rgb.width / detector.stride) * detector.stride;
            const padded = new Uint8Array(h * w * 3).fill(128);
            for (let y = 0; y < rgb.height; y++) padded.set(rgb.data.subarray(3 * y * rgb.width, 3 * (y + 1) * rgb.width), 3 * y * w);
            const images = imagesToTensor([padded], h, w);
            const [d] = detector.predict(images, [padded]);
            images.dispose();
            for (let j = 0; j < d.labels.length; j++) {
              if (d.scores[j] < minScore) continue;
              const x1 = Math.min(d.boxes[4 * j], rgb.width), y1 = Math.min(d.boxes[4 * j + 1], rgb.height);
              const x2 = Math.min(d.boxes[4 * j + 2], rgb.width), y2 = Math.min(d.boxes[4 * j + 3], rgb.height);
              const result: Record<string, unknown> = { image_id: index + 1, file_name: parse(file).base, category_id: d.labels[j], category: SHAPE_CLASSES[d.labels[j] - 1], bbox: [x1, y1, x2 - x1, y2 - y1], score: d.scores[j] };
              if (d.masks) {
                const cropped = new Uint8Array(rgb.width * rgb.height);
                for (let y = 0; y < rgb.height; y++) cropped.set(d.masks[j].subarray(y * w, y * w + rgb.width), y * rgb.width);
                result.segmentation = maskToCocoRle(cropped, rgb.width, rgb.height);
              }
              results.push(result);
            }
          }
        } finally {
          detector.dispose();
        }
        const out = resolve(opts.out);
        writeFileAtomic(out, JSON.stringify(results));
        process.stdout.write(`${results.length} detection(s) in ${files.length} image(s) → ${out}\n`);
      });
  }
}

/** Adds `detseg bench rcnn-family [--json]` to the `bench` command group. */
export function registerRcnnFamilyBench(bench: Command): void {
  bench
    .command('rcnn-family')
    .description('R-CNN vs Fast R-CNN vs Faster R-CNN on the same images: seconds per image (proposals, network), mAP, and the speed ratios')
    .option('--json', 'print the result as JSON', false)
    .option('--images <n>', 'synthetic held-out images (seed 2)', '50')
    .option('--ss-mode <mode>', 'selective-search mode of the proposals of R-CNN and Fast R-CNN: fast | quality', 'quality')
    .option('--rcnn <file>', 'R-CNN checkpoint (default: shipped)')
    .option('--fast-rcnn <file>', 'Fast R-CNN checkpoint (default: shipped)')
    .option('--faster-rcnn <file>', 'Faster R-CNN checkpoint (default: the shipped small-backbone one the others were fine-tuned from)')
    .action(async (opts: { json: boolean; images: string; ssMode: string; rcnn?: string; fastRcnn?: string; fasterRcnn?: string }) => {
      const images = wholeNumber(opts.images, '--images', 1);
      if (opts.ssMode !== 'fast' && opts.ssMode !== 'quality') throw new DetsegInputError(`must be fast or quality, got '${opts.ssMode}'`, { field: '--ss-mode' });
      const checkpoints = { rcnn: opts.rcnn, 'fast-rcnn': opts.fastRcnn, 'faster-rcnn': opts.fasterRcnn };
      const shipped = rcnnFamilyCheckpoints();
      for (const k of ['rcnn', 'fast-rcnn', 'faster-rcnn'] as const) {
        const path = resolve(checkpoints[k] ?? shipped[k]);
        if (!existsSync(path)) throw new DetsegInputError(`checkpoint does not exist (train it with detseg train ${k})`, { file: path, field: `--${k}` });
        checkpoints[k] = path;
      }
      await initEngine();
      const report = benchRcnnFamily({ images, checkpoints, proposalMode: opts.ssMode });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRcnnFamily(report)}\n`);
    });
}
