import type { Command } from 'commander';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, parse, resolve } from 'node:path';
import { decodeImage, defaultMaxPixels, imagePaths, letterbox } from '../../data/images.js';
import { checkReplaceableDir } from '../../data/output-dir.js';
import { maskToCocoRle } from '../../masks/coco-mask.js';
import { loadCheckpoint } from '../../engine/checkpoint.js';
import { initEngine } from '../../engine/setup.js';
import { RCNN_TRAIN_OPTIONS } from '../../models/rcnn/options.js';
import type { DetectorFamily } from '../../models/detection/detector.js';
import { DETECTOR_FAMILIES } from '../../models/registry.js';
import { annotateImage } from '../../pipeline/annotate.js';
import { openDetectionData, syntheticData, validateDetectionData, type DetectionData } from '../../pipeline/dataset.js';
import { detectPreparedWith, toOriginal } from '../../pipeline/infer.js';
import { isOnnxFile, openRuntimeDetector, runtimeOption } from '../../pipeline/onnx.js';
import { formatRcnnFamily, benchRcnnFamily, rcnnFamilyCheckpoints } from '../../benchmarks/rcnn-family.js';
import { writeRunPlots } from '../../pipeline/run-plots.js';
import { latestRun, nextRunDir } from '../../pipeline/run-dir.js';
import { readRunArgs, removeEmptyRun, trainRun } from '../../pipeline/train.js';
import { formatClassTable, singleObjectMetrics, validate } from '../../pipeline/val.js';
import { checkpointClasses, checkpointImageSize, resolveWeights, shippedCheckpoints } from '../../pipeline/weights.js';
import { writeDirAtomic, writeFileAtomic } from '../../util/atomic.js';
import { runThenDispose } from '../../util/dispose.js';
import { DEFAULT_MAX_PIXELS } from '../../util/limits.js';
import { DetsegInputError } from '../../util/errors.js';
import { jsonObjectOption, positiveNumber, unitInterval, wholeNumber } from '../options.js';

/**
 * The registered detectors on the command line, Ultralytics' workflow: `detseg train <model>` (any
 * dataset into a run folder), `detseg val <model>` (pycocotools' 12 numbers and a per-class table),
 * `detseg predict <model>` (COCO results JSON, annotated images, per-image timings), `detseg models`
 * (the registry and the shipped checkpoints) and `detseg bench rcnn-family`.
 */

interface DataOptions {
  data?: string;
  images?: string;
  trainImages?: string;
  imgsz?: string;
}

/** Objects per synthetic image for a family: one for classification + localization, else the generator's default. */
function objectsOf(family: DetectorFamily): [number, number] | undefined {
  return family.singleObject ? [1, 1] : undefined;
}

/** `--data` (default synthetic) as a validated {@link DetectionData}. */
async function trainingData(opts: DataOptions, size: number, family: DetectorFamily): Promise<DetectionData> {
  const data = await openDetectionData(opts.data ?? 'synthetic', { images: opts.images, split: 'train', synthetic: { seed: 1, count: opts.trainImages === undefined ? 4000 : wholeNumber(opts.trainImages, '--train-images', 1), size, objects: objectsOf(family) } });
  validateDetectionData(data, { singleObject: family.singleObject });
  return data;
}

/**
 * The validation data of a training run: `--val` a dataset, or a number of held-out synthetic images
 * (seed 2); by default the held-out synthetic set for synthetic training, the `val` split of a YOLO
 * data.yaml, and none otherwise.
 */
async function validationData(val: string | undefined, train: DetectionData, images: string | undefined, size: number, family: DetectorFamily): Promise<DetectionData | undefined> {
  const single = { singleObject: family.singleObject };
  if (val !== undefined && /^\d+$/.test(val)) return syntheticData(2, wholeNumber(val, '--val', 1), size, objectsOf(family));
  if (val === undefined && train.format === 'synthetic') return syntheticData(2, 200, size, objectsOf(family));
  if (val === undefined && train.format === 'yolo') {
    const data = await openDetectionData(train.file, { split: 'val', field: '--data' }).catch(() => undefined);
    if (data) validateDetectionData(data, single);
    return data;
  }
  if (val === undefined || val === 'none') return undefined;
  const data = await openDetectionData(val, { images, split: 'val', field: '--val', synthetic: { seed: 2, count: 200, size, objects: objectsOf(family) } });
  validateDetectionData(data, single);
  return data;
}

interface TrainCliOptions extends DataOptions {
  val?: string;
  epochs?: string;
  steps?: string;
  batch: string;
  lr?: string;
  weights?: string;
  init?: string;
  resume?: string | boolean;
  project: string;
  name: string;
  seed: string;
  augment: boolean;
  modelOptions?: string;
  warp?: string;
  out?: string;
  valImages?: string;
  progress: boolean;
}

/** Adds `detseg train <model>` for every registered detector to the `train` command group. */
export function registerDetectorTrain(trainCmd: Command): void {
  for (const family of DETECTOR_FAMILIES) {
    const kind = family.kind;
    const command = trainCmd
      .command(kind)
      .description(`train ${family.title} on a COCO / YOLO / VOC dataset or the synthetic shapes, into a run folder`)
      .option('--data <dataset>', 'COCO .json, YOLO data.yaml, Pascal VOC folder, or "synthetic"', 'synthetic')
      .option('--images <dir>', 'image folder of a COCO file (default: found beside it)')
      .option('--val <dataset|n>', 'validation data (a dataset as --data, "none", or a number of held-out synthetic images); default: the held-out synthetic set, a data.yaml\'s val split')
      .option('--epochs <n>', 'epochs (passes over the data)')
      .option('--steps <n>', 'optimisation steps in all (one epoch of n steps)')
      .option('--batch <n>', 'images per step', '2')
      .option('--imgsz <pixels>', 'letterboxed input side (multiple of the stride 8)', String((family.defaultOptions.imageSize as number | undefined) ?? 128))
      .option('--lr <rate>', 'peak Adam learning rate (warm-up, then cosine to 1/50)', String(family.train.learningRate))
      .option('--weights <file|name>', 'checkpoint initialising the model: same family continues every part, another (e.g. faster-rcnn for mask-rcnn) the parts they share')
      .option('--init <file>', 'same as --weights')
      .option('--resume [run]', 'continue a killed run (its folder or weights/last.ckpt; default: the latest run in --project)')
      .option('--project <dir>', 'folder of the runs', 'runs/train')
      .option('--name <name>', 'run name (exp, exp2, … when taken)', 'exp')
      .option('--seed <n>', 'seed of the initialisation, batch order, augmentation and samplers', '0')
      .option('--no-augment', 'no flip / scale / crop augmentation')
      .option('--model-options <json>', 'model options over the family defaults, e.g. \'{"backbone":{"widths":[16,32,64]}}\'')
      .option('--train-images <n>', 'synthetic training images (seed 1)')
      .option('--val-images <n>', 'validate on at most n images after each epoch')
      .option('-o, --out <file>', 'also write the final weights here (a detector checkpoint)')
      .option('--no-progress', 'no progress bar');
    if (kind === 'rcnn') command.option('--warp <pixels>', 'side every proposal is warped to (a multiple of the backbone stride 8)', String(RCNN_TRAIN_OPTIONS.warpSize));
    command.action(async (opts: TrainCliOptions) => {
      let args: Record<string, unknown>;
      let dir: string;
      const resuming = opts.resume !== undefined && opts.resume !== false;
      if (resuming) {
        const given = typeof opts.resume === 'string' ? resolve(opts.resume) : latestRun(opts.project);
        if (given === undefined) throw new DetsegInputError(`no run to resume in ${resolve(opts.project)}`, { field: '--resume' });
        dir = basename(given) === 'last.ckpt' ? dirname(dirname(given)) : given;
        args = readRunArgs(dir);
        if (args.model !== kind) throw new DetsegInputError(`is a ${String(args.model)} run, not ${kind}`, { file: dir, field: '--resume' });
      } else {
        if (opts.epochs !== undefined && opts.steps !== undefined) throw new DetsegInputError('give --epochs or --steps, not both', { field: '--steps' });
        const warp = opts.warp === undefined ? undefined : wholeNumber(opts.warp, '--warp', 8);
        if (warp !== undefined && warp % 8 !== 0) throw new DetsegInputError(`must be a multiple of the backbone stride 8, got ${warp}`, { field: '--warp' });
        const modelOptions = { ...jsonObjectOption(opts.modelOptions, '--model-options'), ...(warp === undefined ? {} : { warpSize: warp }) };
        const weightsGiven = opts.weights ?? opts.init;
        args = {
          model: kind,
          data: opts.data === undefined || opts.data === 'synthetic' ? 'synthetic' : resolve(opts.data),
          images: opts.images === undefined ? undefined : resolve(opts.images),
          val: opts.val === undefined || /^\d+$/.test(opts.val) || opts.val === 'none' ? opts.val : resolve(opts.val),
          epochs: opts.epochs === undefined ? (opts.steps === undefined ? 10 : 1) : wholeNumber(opts.epochs, '--epochs', 1),
          steps: opts.steps === undefined ? undefined : wholeNumber(opts.steps, '--steps', 1),
          batch: wholeNumber(opts.batch, '--batch', 1),
          imgsz: wholeNumber(opts.imgsz ?? '128', '--imgsz', 8),
          lr: positiveNumber(opts.lr ?? String(family.train.learningRate), '--lr'),
          weights: weightsGiven === undefined ? undefined : resolveWeights(kind, weightsGiven, opts.weights !== undefined ? '--weights' : '--init'),
          seed: wholeNumber(opts.seed, '--seed', 0),
          augment: opts.augment,
          modelOptions,
          trainImages: opts.trainImages === undefined ? undefined : wholeNumber(opts.trainImages, '--train-images', 1),
          valImages: opts.valImages === undefined ? undefined : wholeNumber(opts.valImages, '--val-images', 1),
        };
        dir = nextRunDir(opts.project, opts.name);
      }
      const a = args as { data: string; images?: string; val?: string; epochs: number; steps?: number; batch: number; imgsz: number; lr: number; weights?: string; seed: number; augment: boolean; modelOptions: Record<string, unknown>; trainImages?: number; valImages?: number };
      // Read and check every dataset before anything is created.
      const data = await trainingData({ data: a.data, images: a.images, trainImages: a.trainImages === undefined ? undefined : String(a.trainImages) }, a.imgsz, family);
      const val = await validationData(a.val, data, a.images, a.imgsz, family);
      const out = opts.out === undefined ? undefined : resolve(opts.out);
      await initEngine();
      const result = await trainRun({
        family, data, val, dir, epochs: a.epochs, stepsPerEpoch: a.steps, batch: a.batch, imgsz: a.imgsz, lr: a.lr, weights: a.weights, resume: resuming, augment: a.augment, seed: a.seed, valImages: a.valImages,
        modelOptions: a.modelOptions, args, progress: opts.progress && process.stderr.isTTY === true, log: (line) => process.stderr.write(`${line}\n`),
      }).catch((err: unknown) => {
        if (!resuming) removeEmptyRun(dir);
        throw err;
      });
      try {
        await writeRunPlots(result, val, data);
        if (result.lastVal) {
          process.stdout.write(`bbox\n${result.lastVal.bbox.lines.join('\n')}\n`);
          if (result.lastVal.segm) process.stdout.write(`segm\n${result.lastVal.segm.lines.join('\n')}\n`);
          process.stdout.write(`${formatClassTable(result.lastVal.perClass, { images: val!.dataset.images.length, stats: result.lastVal.bbox.stats })}\n`);
          if (family.singleObject) {
            const one = singleObjectMetrics(val!, result.lastVal.detections);
            process.stdout.write(`one object per image: classification accuracy ${one.accuracy.toFixed(4)}, mean box IoU ${one.meanIoU.toFixed(4)}\n`);
          }
        }
        if (out) copyFileSync(join(dir, 'weights', 'last.ckpt'), out);
        const last = result.history[result.history.length - 1];
        process.stdout.write(`${kind}: ${result.history.length} epochs${last && last.mAP >= 0 ? `, held-out COCO mAP ${last.mAP.toFixed(4)}, mAP@0.5 ${last.mAP50.toFixed(4)}${last.maskAP !== undefined ? `, mask AP ${last.maskAP.toFixed(4)}` : ''}` : ''} → ${dir}${out ? ` (and ${out})` : ''}\n`);
      } finally {
        result.model.dispose();
      }
    });
  }
}

/** Adds `detseg val <model>` for every registered detector to the `val` command group. */
export function registerDetectorVal(valCmd: Command): void {
  for (const family of DETECTOR_FAMILIES) {
    valCmd
      .command(family.kind)
      .description(`evaluate ${family.title}: COCO's 12 numbers and a per-class table`)
      .option('--weights <file|name>', 'checkpoint file or shipped name (default: the shipped one)')
      .option('--data <dataset>', 'COCO .json, YOLO data.yaml (val split), Pascal VOC folder, or "synthetic" (held-out seed 2)', 'synthetic')
      .option('--images <dir>', 'image folder of a COCO file')
      .option('--count <n>', 'held-out synthetic images', '200')
      .option('--imgsz <pixels>', 'letterboxed input side (default: the checkpoint\'s)')
      .option('--iou-type <type>', 'bbox | segm | both (default: both for a mask model on data with masks)')
      .option('--json <file>', 'write {stats, perClass, segm?} as JSON')
      .option('--runtime <runtime>', 'tfjs, or onnx: ONNX Runtime (--weights may then be an exported .onnx file)', 'tfjs')
      .action(async (opts: { weights?: string; data: string; images?: string; count: string; imgsz?: string; iouType?: string; json?: string; runtime: string }) => {
        const runtime = runtimeOption(opts.runtime);
        if (runtime === 'tfjs') resolveWeights(family.kind, opts.weights);
        const json = opts.json === undefined ? undefined : resolve(opts.json);
        if (opts.iouType !== undefined && !['bbox', 'segm', 'both'].includes(opts.iouType)) throw new DetsegInputError(`must be bbox, segm or both, got '${opts.iouType}'`, { field: '--iou-type' });
        const imgszGiven = opts.imgsz === undefined ? undefined : wholeNumber(opts.imgsz, '--imgsz', 8);
        await initEngine();
        const detector = await openRuntimeDetector(family.kind, runtime, opts.weights, { imgsz: imgszGiven });
        try {
          const imgsz = imgszGiven ?? detector.imgsz;
          const data = opts.data === 'synthetic' ? syntheticData(2, wholeNumber(opts.count, '--count', 1), imgsz, objectsOf(family)) : await openDetectionData(opts.data, { images: opts.images, split: 'val' });
          validateDetectionData(data, { singleObject: family.singleObject });
          if (opts.iouType === 'segm' && !(family.masks && data.hasMasks)) throw new DetsegInputError(`segm needs a mask model and data with segmentations`, { field: '--iou-type' });
          const result = await validate(detector.model, family, data, { imgsz, segm: opts.iouType === undefined ? undefined : opts.iouType !== 'bbox' });
          if (opts.iouType !== 'segm') process.stdout.write(`bbox\n${result.bbox.lines.join('\n')}\n`);
          if (result.segm) process.stdout.write(`segm\n${result.segm.lines.join('\n')}\n`);
          process.stdout.write(`${formatClassTable(result.perClass, { images: data.dataset.images.length, stats: result.bbox.stats })}\n`);
          if (family.singleObject) {
            const one = singleObjectMetrics(data, result.detections);
            process.stdout.write(`one object per image: classification accuracy ${one.accuracy.toFixed(4)}, mean box IoU ${one.meanIoU.toFixed(4)} (${data.dataset.images.length} images)\n`);
          }
          process.stdout.write(`${result.msPerImage.toFixed(1)} ms per image (decode, letterbox ${imgsz}, network on ${runtime === 'onnx' ? 'ONNX Runtime' : 'TF.js'}, post-processing)\n`);
          if (json) writeFileAtomic(json, `${JSON.stringify({ stats: result.bbox.stats, perClass: Object.fromEntries(result.perClass.map((r) => [r.name, r])), ...(result.segm ? { segm: { stats: result.segm.stats } } : {}), msPerImage: result.msPerImage, runtime }, null, 2)}\n`);
        } finally {
          await detector.dispose();
        }
      });
  }
}

/** Adds `detseg predict <model>` for every registered detector to the `predict` command group. */
export function registerDetectorPredict(predictCmd: Command): void {
  for (const family of DETECTOR_FAMILIES) {
    const kind = family.kind;
    predictCmd
      .command(kind)
      .description(`detect objects with ${family.title}: COCO results JSON, annotated images, timings`)
      .option('--weights <file|name>', 'checkpoint file or shipped name (default: the shipped one)')
      .option('--checkpoint <file>', 'same as --weights')
      .option('--source <path>', 'an image file or a folder of images')
      .option('--input <path>', 'same as --source')
      .option('-o, --out <file>', 'COCO results JSON (image_id = position in sorted file order + 1; also file_name and category)', 'detections.json')
      .option('--save <dir>', 'write one annotated PNG per image into this folder')
      .option('--conf <threshold>', 'keep detections scoring at least this', '0.25')
      .option('--score <threshold>', 'same as --conf')
      .option('--iou <threshold>', 'class-wise NMS IoU on top of the model\'s own')
      .option('--imgsz <pixels>', 'letterboxed input side (default: the checkpoint\'s)')
      .option('--overwrite', 'replace a --save folder that holds other files', false)
      .option('--max-pixels <n>', `largest image accepted, in pixels (default ${DEFAULT_MAX_PIXELS}, or DETSEG_MAX_PIXELS)`)
      .option('--runtime <runtime>', 'tfjs, or onnx: ONNX Runtime (--weights may then be an exported .onnx file)', 'tfjs')
      .action(async (opts: { weights?: string; checkpoint?: string; source?: string; input?: string; out: string; save?: string; conf: string; score?: string; iou?: string; imgsz?: string; overwrite: boolean; maxPixels?: string; runtime: string }) => {
        const runtime = runtimeOption(opts.runtime);
        const sourceGiven = opts.source ?? opts.input;
        if (sourceGiven === undefined) throw new DetsegInputError('give the image file or folder', { field: '--source' });
        const files = imagePaths(resolve(sourceGiven), opts.source !== undefined ? '--source' : '--input');
        const conf = unitInterval(opts.score ?? opts.conf, opts.score !== undefined ? '--score' : '--conf');
        const maxPixels = opts.maxPixels === undefined ? defaultMaxPixels() : wholeNumber(opts.maxPixels, '--max-pixels', 1);
        const iou = opts.iou === undefined ? undefined : Number(opts.iou);
        if (iou !== undefined && (opts.iou!.trim() === '' || !(iou > 0 && iou <= 1))) throw new DetsegInputError(`must be a number in (0, 1], got '${opts.iou}'`, { field: '--iou' });
        const weightsField = opts.weights !== undefined ? '--weights' : '--checkpoint';
        const weightsGiven = opts.weights ?? opts.checkpoint;
        if (weightsGiven !== undefined && opts.weights === undefined && !existsSync(resolve(weightsGiven))) throw new DetsegInputError('checkpoint does not exist', { file: resolve(weightsGiven), field: '--checkpoint' });
        if (runtime === 'tfjs' || !isOnnxFile(weightsGiven)) resolveWeights(kind, weightsGiven, weightsField);
        const save = opts.save === undefined ? undefined : resolve(opts.save);
        const names = files.map((f) => `${parse(f).name}.png`);
        if (save) checkReplaceableDir(save, (n) => names.includes(n), opts.overwrite);
        const imgszGiven = opts.imgsz === undefined ? undefined : wholeNumber(opts.imgsz, '--imgsz', 8);
        await initEngine();
        const detector = await openRuntimeDetector(kind, runtime, weightsGiven, { imgsz: imgszGiven, field: weightsField });
        const results: object[] = [];
        const annotated: Buffer[] = [];
        // the first failure is the one reported: freeing the model after a wasm failure may fail too
        await runThenDispose(async () => {
          const imgsz = imgszGiven ?? detector.imgsz;
          if (imgsz % detector.stride !== 0) throw new DetsegInputError(`must be a multiple of the detector's stride ${detector.stride}, got ${imgsz}`, { field: '--imgsz' });
          for (const [index, file] of files.entries()) {
            const t0 = performance.now();
            const rgb = await decodeImage(file, file, { maxPixels, limitOption: '--max-pixels' });
            const lb = letterbox(rgb, imgsz);
            const t1 = performance.now();
            const [raw] = await detectPreparedWith(detector.model, family, [{ index, image: lb.image.data, target: { boxes: new Float32Array(0), labels: new Int32Array(0) }, letterbox: lb }], imgsz);
            const t2 = performance.now();
            const d = toOriginal(raw, lb, rgb.width, rgb.height, imgsz, { conf, iou });
            for (let j = 0; j < d.labels.length; j++) {
              const [x1, y1, x2, y2] = d.boxes.subarray(4 * j, 4 * j + 4);
              const result: Record<string, unknown> = { image_id: index + 1, file_name: parse(file).base, category_id: d.labels[j], category: detector.classes[d.labels[j] - 1], bbox: [x1, y1, x2 - x1, y2 - y1], score: d.scores[j] };
              if (d.masks) result.segmentation = maskToCocoRle(d.masks[j], rgb.width, rgb.height);
              results.push(result);
            }
            const t3 = performance.now();
            if (save) annotated.push(await annotateImage(rgb, d, detector.classes));
            const counts = new Map<string, number>();
            for (const l of d.labels) counts.set(detector.classes[l - 1], (counts.get(detector.classes[l - 1]) ?? 0) + 1);
            process.stderr.write(`image ${index + 1}/${files.length} ${parse(file).base} ${rgb.width}×${rgb.height}: ${d.labels.length ? [...counts].map(([c, n]) => `${n} ${c}`).join(', ') : 'no detections'}; ${(t1 - t0).toFixed(1)} ms preprocess, ${(t2 - t1).toFixed(1)} ms inference, ${(t3 - t2).toFixed(1)} ms postprocess\n`);
          }
        }, () => detector.dispose());
        if (runtime === 'onnx') process.stderr.write('network on ONNX Runtime\n');
        const out = resolve(opts.out);
        if (save) await writeDirAtomic(save, (tmp) => annotated.forEach((png, i) => writeFileSync(join(tmp, names[i]), png)));
        writeFileAtomic(out, JSON.stringify(results));
        process.stdout.write(`${results.length} detection(s) in ${files.length} image(s) → ${out}${save ? `; annotated images → ${save}` : ''}\n`);
      });
  }
}

/** Adds `detseg models`: the registered families and the shipped checkpoints. */
export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list the registered detector families and the shipped checkpoints')
    .option('--json', 'print as JSON', false)
    .action((opts: { json: boolean }) => {
      const rows = shippedCheckpoints().map((s) => {
        const meta = loadCheckpoint(s.path).meta ?? {};
        const m = (meta.metrics ?? {}) as Record<string, number | undefined>;
        return { name: s.name, model: s.family.kind, file: s.file, classes: checkpointClasses(meta), imgsz: checkpointImageSize(meta), data: s.description, mAP: m.mAP, mAP50: m.mAP50, maskAP: m.maskAP };
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ families: DETECTOR_FAMILIES.map((f) => ({ kind: f.kind, title: f.title, format: f.format, needsProposals: f.needsProposals, masks: f.masks })), shipped: rows }, null, 2)}\n`);
        return;
      }
      process.stdout.write('families:\n');
      for (const f of DETECTOR_FAMILIES) process.stdout.write(`  ${f.kind.padEnd(12)} ${f.title}${f.needsProposals ? ' — selective-search proposals' : ''}${f.masks ? ' — instance masks' : ''}\n`);
      process.stdout.write('shipped checkpoints (held-out synthetic images, COCO metrics):\n');
      for (const r of rows) process.stdout.write(`  ${r.name.padEnd(18)} ${r.model.padEnd(12)} classes ${r.classes.join(', ')}; ${r.imgsz}²; mAP ${r.mAP?.toFixed(3) ?? '-'}, mAP50 ${r.mAP50?.toFixed(3) ?? '-'}${r.maskAP !== undefined ? `, mask AP ${r.maskAP.toFixed(3)}` : ''} — ${r.data}\n`);
    });
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
    .option('--faster-rcnn <file>', 'Faster R-CNN checkpoint (default: the shipped small-backbone one)')
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
