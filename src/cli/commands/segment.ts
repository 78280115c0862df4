import type { Command } from 'commander';
import { join, parse, resolve } from 'node:path';
import { decodeImage, defaultMaxPixels, encodePng, imagePaths, type RgbImage } from '../../data/images.js';
import { loadSunnybrook } from '../../data/sunnybrook.js';
import { initEngine } from '../../engine/setup.js';
import { epochRandom } from '../../engine/train.js';
import { loadSegmentationCheckpoint, type SegmentationCheckpoint } from '../../models/segmentation-checkpoint.js';
import { binaryMaskLabels, loadLabelFolder, sunnybrookLabelDataset, syntheticLabelDataset, withChannels, type LabelDataset, type LabelSample } from '../../models/segmentation-data.js';
import { SEGMENTATION_FAMILIES, type SegmentationFamily, type SegmentationOptions } from '../../models/segmentation-registry.js';
import { evaluateSegmentation, predictLabelMaps, trainSegmentation } from '../../models/segmentation-train.js';
import { holdOutGroups } from '../../models/unet/dataset.js';
import { AtomicFiles, writeFileAtomic } from '../../util/atomic.js';
import { runThenDispose } from '../../util/dispose.js';
import { DetsegInputError } from '../../util/errors.js';
import { DEFAULT_MAX_PIXELS } from '../../util/limits.js';
import { jsonObjectOption, positiveNumber, wholeNumber } from '../options.js';

/**
 * The registered semantic-segmentation models (`segmentation-registry.ts`) on the command line:
 * `detseg train <kind>` (an image/mask folder, the synthetic shapes or the Sunnybrook LV slices →
 * a `detseg-segmentation` checkpoint), `detseg val <kind>` (pixel accuracy, per-class IoU and Dice,
 * mean IoU, ms per image) and `detseg predict <kind>` (one label PNG per image). One loop over the
 * registry adds every kind; nothing here is specific to one.
 */

/** Synthetic images (seed 2) held out by default, the detectors' held-out set. */
const HELD_OUT_SYNTHETIC = 200;
/** Random gamma of the LV training crops (the practical's). */
const LV_GAMMA_JITTER = 0.4;

interface DataCliOptions {
  data?: string;
  binaryMasks?: boolean;
  synthetic?: string | boolean;
  valImages?: string;
  sunnybrook?: string | boolean;
  fold?: string;
  val?: string;
  seed: string;
}

/** A labelled set and which of its samples train and which are scored. */
interface SelectedData {
  data: LabelDataset;
  trainIndices: number[];
  evalIndices: number[];
  /** How the scored images were chosen, for the log. */
  heldOut: string;
  /** Largest shift of a training crop (default: the trainer's crop / 8). */
  maxShift?: number;
  gammaJitter: number;
}

function addDataOptions(command: Command, purpose: 'train' | 'val'): Command {
  const scored = purpose === 'train' ? 'validated after every epoch' : 'scored';
  return command
    .option('--data <dir>', 'folder with images/ and masks/ (same file stems; mask grey level = class id, 0 background; masks of only 0 and 255 are 2 classes)')
    .option('--binary-masks', 'read --data masks as black and white: grey ≥ 128 is the foreground (2 classes)')
    .option(purpose === 'train' ? '--synthetic <n>' : '--synthetic [n]', purpose === 'train' ? 'train on synthetic-shape images 0…n−1 of seed 1 (4 classes)' : 'the synthetic shapes\' held-out images of seed 2 (n, the training count, is not used)')
    .option('--val-images <n>', `synthetic held-out images of seed 2, ${scored} (default ${HELD_OUT_SYNTHETIC})`)
    .option('--sunnybrook [dir]', 'the Sunnybrook LV slices, 2 classes, the LV practical\'s input window (default: the embedded subset)')
    .option('--fold <k>', `with --sunnybrook: patient k (0-based) is held out and ${scored}`)
    .option('--val <fraction>', purpose === 'train' ? 'fraction held out, by image for --data, by patient for --sunnybrook (default 0.2)' : `score only the fraction that train holds out with the same --val and --seed (default: every image)`)
    .option('--seed <n>', purpose === 'train' ? 'seed of initialisation, split, shuffling and augmentation' : 'seed of the --val split', '0');
}

/** The combination of data options: exactly one data source, and only the options that apply to it. */
function checkDataOptions(opts: DataCliOptions, purpose: 'train' | 'val'): void {
  const given = [opts.data, opts.synthetic, opts.sunnybrook].filter((v) => v !== undefined).length;
  if (given !== 1) throw new DetsegInputError(`give exactly one of --data <dir>, --synthetic ${purpose === 'train' ? '<n>' : '[n]'} and --sunnybrook [dir]`, { field: '--data' });
  if (opts.fold !== undefined && opts.sunnybrook === undefined) throw new DetsegInputError('holds out a Sunnybrook patient: use it with --sunnybrook', { field: '--fold' });
  if (opts.fold !== undefined && opts.val !== undefined) throw new DetsegInputError('give --fold or --val, not both', { field: '--val' });
  if (opts.val !== undefined && opts.synthetic !== undefined) throw new DetsegInputError('applies to --data and --sunnybrook; the synthetic held-out images are --val-images', { field: '--val' });
  if (opts.valImages !== undefined && opts.synthetic === undefined) throw new DetsegInputError('applies to --synthetic', { field: '--val-images' });
  if (opts.binaryMasks && opts.data === undefined) throw new DetsegInputError('applies to --data', { field: '--binary-masks' });
}

/**
 * Reads the one data option given (`--data`, `--synthetic`, `--sunnybrook`) and selects the training
 * and scored samples. For training, `crop` is the training crop; Sunnybrook slices are then cut with
 * a margin of crop / 8 for the shifts, and scored on their centre crop (margin 0), as the LV
 * practical does. For validation with neither `--fold` nor `--val`, every sample is scored.
 */
async function selectData(opts: DataCliOptions, purpose: 'train' | 'val', crop: number): Promise<SelectedData> {
  checkDataOptions(opts, purpose);
  const seed = wholeNumber(opts.seed, '--seed', 0);
  const fractionGiven = opts.val === undefined ? undefined : Number(opts.val);
  if (fractionGiven !== undefined && (opts.val!.trim() === '' || !(fractionGiven >= 0 && fractionGiven < 1))) throw new DetsegInputError(`must be a fraction in [0, 1), got '${opts.val}'`, { field: '--val' });
  const fraction = fractionGiven ?? (purpose === 'train' ? 0.2 : undefined);
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);

  if (opts.synthetic !== undefined) {
    const trainCount = typeof opts.synthetic === 'string' ? wholeNumber(opts.synthetic, '--synthetic', 1) : 0;
    const valCount = wholeNumber(opts.valImages ?? String(HELD_OUT_SYNTHETIC), '--val-images', purpose === 'train' ? 0 : 1);
    const held = syntheticLabelDataset(2, valCount);
    if (purpose === 'val') return { data: held, trainIndices: [], evalIndices: all(valCount), heldOut: `held-out synthetic images 0…${valCount - 1} of seed 2`, gammaJitter: 0 };
    const train = syntheticLabelDataset(1, trainCount);
    return {
      data: { samples: [...train.samples, ...held.samples], classNames: train.classNames },
      trainIndices: all(trainCount),
      evalIndices: all(valCount).map((i) => trainCount + i),
      heldOut: valCount ? `held-out synthetic images 0…${valCount - 1} of seed 2` : 'no held-out images',
      gammaJitter: 0,
    };
  }

  if (opts.data !== undefined) {
    const dir = resolve(opts.data);
    const raw = await loadLabelFolder(dir);
    const data = binaryMaskLabels(raw, opts.binaryMasks ? 'threshold' : 'auto') ?? raw;
    if (fraction === undefined) return { data, trainIndices: [], evalIndices: all(data.samples.length), heldOut: `every image of ${dir}`, gammaJitter: 0 };
    const { trainIndices, valIndices } = holdOutGroups(data.samples, fraction, epochRandom(seed, -1));
    return { data, trainIndices, evalIndices: valIndices, heldOut: `${valIndices.length} of the ${data.samples.length} images held out by --val ${fraction}, --seed ${seed}`, gammaJitter: 0 };
  }

  const sunnybrook = loadSunnybrook(typeof opts.sunnybrook === 'string' ? resolve(opts.sunnybrook) : undefined);
  const margin = purpose === 'train' ? Math.round(crop / 8) : 0;
  for (const s of sunnybrook.slices) {
    if (crop + 2 * margin > Math.min(s.height, s.width)) throw new DetsegInputError(`crop ${crop}${margin ? ` and its training margin 2 × ${margin}` : ''} exceed the ${s.width}×${s.height} slice ${s.patientId}-${s.imageNumber}`, { field: '--crop' });
  }
  const scoredSet = sunnybrookLabelDataset(sunnybrook, crop, 0);
  let heldPatients: string[];
  if (opts.fold !== undefined) {
    heldPatients = [sunnybrook.patients[wholeNumber(opts.fold, '--fold', 0, sunnybrook.patients.length - 1)]];
  } else if (fraction !== undefined) {
    const byPatient = sunnybrook.patients.map((p) => ({ name: p, group: p }));
    heldPatients = holdOutGroups(byPatient, fraction, epochRandom(seed, -1)).valGroups;
  } else {
    heldPatients = [...sunnybrook.patients];
  }
  const held = new Set(heldPatients);
  const scored = scoredSet.samples.flatMap((s, i) => (held.has(s.group!) ? [i] : []));
  const heldOut = `held-out patients ${heldPatients.join(', ') || 'none'}`;
  if (purpose === 'val') return { data: scoredSet, trainIndices: [], evalIndices: scored, heldOut, gammaJitter: 0 };
  const trainSet = sunnybrookLabelDataset(sunnybrook, crop, margin);
  const offset = trainSet.samples.length;
  return {
    data: { samples: [...trainSet.samples, ...scoredSet.samples], classNames: trainSet.classNames },
    trainIndices: trainSet.samples.flatMap((s, i) => (held.has(s.group!) ? [] : [i])),
    evalIndices: scored.map((i) => offset + i),
    heldOut,
    maxShift: margin,
    gammaJitter: LV_GAMMA_JITTER,
  };
}

/** `--flag-name` → commander's `flagName`. */
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** `--model-options` with the family's shortcut flags (`--depth`, …) applied over it. */
function modelOptions(family: SegmentationFamily, opts: Record<string, unknown>): SegmentationOptions {
  const options = jsonObjectOption(opts.modelOptions as string | undefined, '--model-options');
  for (const f of family.flags ?? []) {
    const v = opts[camel(f.flag)];
    if (v === undefined) continue;
    options[f.option] = f.type === 'boolean' ? v === true : wholeNumber(v as string, `--${f.flag}`, f.min ?? 0);
  }
  return options;
}

/** Checks that every label of the scored samples is a class of the checkpoint. */
function checkLabels(samples: LabelSample[], indices: number[], numClasses: number, checkpoint: string): void {
  for (const i of indices) {
    const s = samples[i];
    for (let p = 0; p < s.labels.length; p++) {
      if (s.labels[p] >= numClasses) {
        throw new DetsegInputError(`pixel ${p % s.width}, ${Math.floor(p / s.width)} has label ${s.labels[p]}, but the checkpoint ${checkpoint} has ${numClasses} classes (0…${numClasses - 1})`, { file: s.labelFile, field: s.labelFile ? 'label' : s.name });
      }
    }
  }
}

const LOSSES: Record<string, 'softmax-ce' | 'softmax-dice' | 'softmax-ce+dice'> = { ce: 'softmax-ce', dice: 'softmax-dice', 'ce+dice': 'softmax-ce+dice', bce: 'softmax-ce', 'bce+dice': 'softmax-ce+dice' };

interface TrainSegCliOptions extends DataCliOptions {
  modelOptions?: string;
  crop?: string;
  epochs: string;
  batch: string;
  lr: string;
  loss: string;
  schedule: string;
  warmup: string;
  resume: boolean;
  out?: string;
  threads?: string;
  progress: boolean;
}

/** Adds `detseg train <kind>` for every registered segmentation model to the `train` command group. */
export function registerSegmentationTrain(trainCmd: Command): void {
  for (const family of SEGMENTATION_FAMILIES) {
    const kind = family.kind;
    const command = trainCmd.command(kind).description(`train ${family.description.split(':')[0]} for semantic segmentation on an image/mask folder, the synthetic shapes or the Sunnybrook LV slices`);
    addDataOptions(command, 'train')
      .option('--model-options <json>', 'builder options over the defaults, e.g. \'{"baseWidth":8}\'')
      .option('--crop <pixels>', `square training crop, a multiple of the model's input multiple (default 96 with --sunnybrook, else 128)`)
      .option('--epochs <n>', 'epochs', '20')
      .option('--batch <n>', 'batch size', '8')
      .option('--lr <rate>', 'Adam learning rate', '2e-3')
      .option('--loss <name>', 'ce | dice | ce+dice (softmax over the classes; bce and bce+dice are accepted for ce and ce+dice)', 'ce+dice')
      .option('--schedule <kind>', 'cosine (to 1/20 of --lr) | constant | step (×0.1 at each third)', 'cosine')
      .option('--warmup <steps>', 'linear warm-up steps', '0')
      .option('--resume', 'continue from the checkpoint in --out when it exists', false)
      .option('-o, --out <file>', `checkpoint file, rewritten after every epoch (default ${kind}.ckpt)`)
      .option('--threads <n>', 'wasm threads (default $DETSEG_THREADS, else 2 on a machine with 2 or more cores)')
      .option('--no-progress', 'no progress bar');
    for (const f of family.flags ?? []) command.option(f.type === 'boolean' ? `--${f.flag}` : `--${f.flag} <n>`, `${f.description} (sets "${f.option}" of --model-options)`);
    command.action(async (opts: TrainSegCliOptions) => {
      checkDataOptions(opts, 'train');
      const options = modelOptions(family, opts as unknown as Record<string, unknown>);
      const crop = wholeNumber(opts.crop ?? (opts.sunnybrook !== undefined ? '96' : '128'), '--crop', 1);
      let multiple: number;
      try {
        multiple = family.multiple(options);
      } catch (err) {
        throw new DetsegInputError(`${(err as Error).message}`, { field: '--model-options' });
      }
      if (crop % multiple !== 0) throw new DetsegInputError(`must be a multiple of ${multiple} for ${kind} with these model options, got ${crop}`, { field: '--crop' });
      const epochs = wholeNumber(opts.epochs, '--epochs', 1);
      const batchSize = wholeNumber(opts.batch, '--batch', 1);
      const learningRate = positiveNumber(opts.lr, '--lr');
      const loss = LOSSES[opts.loss];
      if (loss === undefined) throw new DetsegInputError(`must be ce, dice or ce+dice, got '${opts.loss}'`, { field: '--loss' });
      if (!['constant', 'cosine', 'step'].includes(opts.schedule)) throw new DetsegInputError(`must be cosine, constant or step, got '${opts.schedule}'`, { field: '--schedule' });
      const warmupSteps = wholeNumber(opts.warmup, '--warmup', 0);
      const seed = wholeNumber(opts.seed, '--seed', 0);
      const threads = opts.threads === undefined ? undefined : wholeNumber(opts.threads, '--threads', 1);
      const out = resolve(opts.out ?? `${kind}.ckpt`);

      const selected = await selectData(opts, 'train', crop);
      const { data, trainIndices, evalIndices } = selected;
      if (trainIndices.length === 0) throw new DetsegInputError('leaves no training images', { field: opts.fold !== undefined ? '--fold' : '--val' });
      for (const i of trainIndices) {
        const s = data.samples[i];
        if (s.height < crop || s.width < crop) throw new DetsegInputError(`image ${s.name} is ${s.width}×${s.height}, smaller than the crop ${crop}`, { field: '--crop' });
      }
      await initEngine(threads === undefined ? {} : { threads });
      let parameters: number;
      try {
        const probe = family.build(options, data.samples[trainIndices[0]].channels, data.classNames.length, seed);
        parameters = probe.countParams();
        probe.dispose();
      } catch (err) {
        if (err instanceof DetsegInputError) throw err;
        throw new DetsegInputError(`cannot build ${kind} with these options: ${(err as Error).message}`, { field: '--model-options' });
      }
      process.stderr.write(`${kind} ${parameters.toLocaleString('en-US')} parameters, ${data.classNames.length} classes (${data.classNames.join(', ')}); ${trainIndices.length} training and ${evalIndices.length} validation images (${selected.heldOut})\n`);
      const { model, result } = await trainSegmentation({
        kind, options, data, trainIndices, valIndices: evalIndices, crop, epochs, batchSize, learningRate, loss, schedule: opts.schedule as 'constant' | 'cosine' | 'step', warmupSteps,
        maxShift: selected.maxShift, gammaJitter: selected.gammaJitter, seed, checkpoint: out, resume: opts.resume,
        progress: opts.progress && process.stderr.isTTY === true, log: (line) => process.stderr.write(`${line}\n`),
      });
      model.dispose();
      const last = result.history[result.history.length - 1];
      const miou = last?.metrics.val_miou;
      process.stdout.write(`trained ${result.epochsDone} epochs (${result.steps} steps): loss ${last?.loss.toFixed(4)}${miou !== undefined ? `, held-out mIoU ${miou.toFixed(4)}` : ''} → ${out}\n`);
    });
  }
}

/** A decoded image as the checkpoint's input: grey (mean of R, G, B) for 1 channel, else RGB, in [0, 1]. */
function imageInput(rgb: RgbImage, channels: number): Pick<LabelSample, 'image' | 'height' | 'width' | 'channels'> {
  const n = rgb.width * rgb.height;
  const image = new Float32Array(n * channels);
  if (channels === 1) for (let i = 0; i < n; i++) image[i] = (rgb.data[3 * i] + rgb.data[3 * i + 1] + rgb.data[3 * i + 2]) / (3 * 255);
  else if (channels === 3) for (let i = 0; i < 3 * n; i++) image[i] = rgb.data[i] / 255;
  else throw new DetsegInputError(`the checkpoint takes ${channels} input channels; images give 1 or 3`, { field: 'meta.inChannels' });
  return { image, height: rgb.height, width: rgb.width, channels };
}

/** `--checkpoint` of `kind`, a one-line error for a missing file. */
function openCheckpoint(path: string, kind: string): SegmentationCheckpoint {
  return loadSegmentationCheckpoint(resolve(path), kind, '--checkpoint');
}

interface ValSegCliOptions extends DataCliOptions {
  checkpoint: string;
  crop?: string;
  json?: string;
  threads?: string;
}

/** Adds `detseg val <kind>` for every registered segmentation model to the `val` command group. */
export function registerSegmentationVal(valCmd: Command): void {
  for (const family of SEGMENTATION_FAMILIES) {
    const kind = family.kind;
    const command = valCmd.command(kind).description(`evaluate a ${kind} checkpoint: pixel accuracy, per-class IoU and Dice, mean IoU, ms per image`);
    command.requiredOption('--checkpoint <file>', `checkpoint of detseg train ${kind}`);
    addDataOptions(command, 'val')
      .option('--crop <pixels>', 'with --sunnybrook: side of the centre window (default: the checkpoint\'s training crop, else 96)')
      .option('--json <file>', 'also write the numbers as JSON')
      .option('--threads <n>', 'wasm threads')
      .action(async (opts: ValSegCliOptions) => {
        const json = opts.json === undefined ? undefined : resolve(opts.json);
        const threads = opts.threads === undefined ? undefined : wholeNumber(opts.threads, '--threads', 1);
        const cropGiven = opts.crop === undefined ? undefined : wholeNumber(opts.crop, '--crop', 1);
        checkDataOptions(opts, 'val');
        if (opts.synthetic !== undefined && typeof opts.synthetic === 'string') wholeNumber(opts.synthetic, '--synthetic', 1);
        await initEngine(threads === undefined ? {} : { threads });
        const ckpt = openCheckpoint(opts.checkpoint, kind);
        await runThenDispose(async () => {
          const { meta } = ckpt;
          const selected = await selectData(opts, 'val', cropGiven ?? ckpt.crop ?? 96);
          const { evalIndices } = selected;
          if (evalIndices.length === 0) throw new DetsegInputError('selects no images to score', { field: '--val' });
          checkLabels(selected.data.samples, evalIndices, meta.numClasses, resolve(opts.checkpoint));
          const samples = selected.data.samples.map((s) => withChannels(s, meta.inChannels));
          const { metrics, msPerImage } = evaluateSegmentation(ckpt.model, samples, evalIndices, meta.numClasses, ckpt.multiple);
          const f = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(4));
          const width = Math.max(5, ...meta.classNames.map((c) => c.length));
          const lines = [
            `${kind} on ${evalIndices.length} images (${selected.heldOut}), ${meta.numClasses} classes`,
            `${'class'.padEnd(width)}     IoU    Dice`,
            ...meta.classNames.map((c, i) => `${c.padEnd(width)}  ${f(metrics.iou[i]).padStart(6)}  ${f(metrics.dice[i]).padStart(6)}`),
            `pixel accuracy ${f(metrics.pixelAccuracy)}, mean IoU ${f(metrics.meanIou)}, mean Dice ${f(metrics.meanDice)} (over the classes present)`,
            `${msPerImage.toFixed(1)} ms per image (forward pass and arg-max)`,
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
          if (json) {
            const num = (v: number) => (Number.isNaN(v) ? null : v);
            const report = {
              kind, checkpoint: resolve(opts.checkpoint), images: evalIndices.length, pixelAccuracy: num(metrics.pixelAccuracy), meanIou: num(metrics.meanIou), meanDice: num(metrics.meanDice),
              classes: meta.classNames.map((name, i) => ({ name, iou: num(metrics.iou[i]), dice: num(metrics.dice[i]), present: metrics.present[i] === 1 })),
              msPerImage,
            };
            writeFileAtomic(json, `${JSON.stringify(report, null, 2)}\n`, '--json');
          }
        }, () => ckpt.model.dispose());
      });
  }
}

/** Adds `detseg predict <kind>` for every registered segmentation model to the `predict` command group. */
export function registerSegmentationPredict(predictCmd: Command): void {
  for (const family of SEGMENTATION_FAMILIES) {
    const kind = family.kind;
    predictCmd
      .command(kind)
      .description(`label maps of a ${kind} checkpoint: one PNG per image, grey level = class id (255 = foreground for 2 classes)`)
      .requiredOption('--checkpoint <file>', `checkpoint of detseg train ${kind}${kind === 'unet' ? ' (or assets/checkpoints/unet-lv-fold<k>.ckpt)' : ''}`)
      .requiredOption('--input <path>', 'an image file or a folder of images')
      .option('-o, --out <dir>', 'output folder for the label PNGs', 'masks')
      .option('--max-pixels <n>', `largest image accepted, in pixels (default ${DEFAULT_MAX_PIXELS}, or DETSEG_MAX_PIXELS)`)
      .option('--threads <n>', 'wasm threads')
      .action(async (opts: { checkpoint: string; input: string; out: string; maxPixels?: string; threads?: string }) => {
        const maxPixels = opts.maxPixels === undefined ? defaultMaxPixels() : wholeNumber(opts.maxPixels, '--max-pixels', 1);
        const threads = opts.threads === undefined ? undefined : wholeNumber(opts.threads, '--threads', 1);
        const files = imagePaths(resolve(opts.input), '--input');
        await initEngine(threads === undefined ? {} : { threads });
        const ckpt = openCheckpoint(opts.checkpoint, kind);
        const { meta } = ckpt;
        const out = resolve(opts.out);
        const counts = new Array<number>(meta.numClasses).fill(0);
        // every label map or none: they are staged and moved into place together at the end
        const written = new AtomicFiles();
        await runThenDispose(async () => {
          try {
            for (const file of files) {
              const rgb = await decodeImage(file, file, { maxPixels, limitOption: '--max-pixels' });
              const [labels] = predictLabelMaps(ckpt.model, [imageInput(rgb, meta.inChannels)], ckpt.multiple);
              // 2 classes: 0 / 255, a black-and-white mask; more: the class id itself
              const scale = meta.numClasses === 2 ? 255 : 1;
              const grey = new Uint8Array(labels.length * 3);
              for (let i = 0; i < labels.length; i++) {
                grey.fill(labels[i] * scale, 3 * i, 3 * i + 3);
                counts[labels[i]]++;
              }
              written.add(join(out, `${parse(file).name}.png`), await encodePng({ data: grey, width: rgb.width, height: rgb.height }), '--out');
            }
            written.commit();
          } catch (err) {
            written.discard();
            throw err;
          }
        }, () => ckpt.model.dispose());
        process.stdout.write(`${files.length} label map(s) written to ${out} (pixels per class: ${meta.classNames.map((c, i) => `${c} ${counts[i]}`).join(', ')})\n`);
      });
  }
}
