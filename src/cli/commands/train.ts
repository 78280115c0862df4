import type { Command } from 'commander';
import { registerDetectorTrain } from './detect.js';
import { resolve } from 'node:path';
import { initEngine } from '../../engine/setup.js';
import { train } from '../../engine/train.js';
import { segmentationLoss, type SegLossName } from '../../models/losses.js';
import { buildUNet, type UNetOptions } from '../../models/unet/unet.js';
import { holdOutGroups, loadSegFolder, predictFullMasks, segBatches, sunnybrookSamples, type SegSample } from '../../models/unet/dataset.js';
import type { UNetCheckpointMeta } from '../../models/unet/checkpoint-meta.js';
import { binaryDice } from '../../eval/segmentation.js';
import { epochRandom } from '../../engine/train.js';
import { DetsegInputError } from '../../util/errors.js';

function numberOption(value: string, option: string, check: (n: number) => boolean, what: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new DetsegInputError(`must be ${what}, got '${value}'`, { field: option });
  return n;
}
const wholeAtLeast = (value: string, option: string, min: number) => numberOption(value, option, (n) => Number.isInteger(n) && n >= min, `a whole number ≥ ${min}`);

interface TrainUNetOptions {
  data?: string;
  sunnybrook?: string | boolean;
  out: string;
  epochs: string;
  batch: string;
  crop: string;
  lr: string;
  loss: string;
  depth: string;
  width: string;
  batchNorm: boolean;
  val: string;
  seed: string;
  schedule: string;
  warmup: string;
  resume: boolean;
  progress: boolean;
  threads?: string;
}

/**
 * `detseg train unet`: trains a U-Net on a folder of image/mask pairs (`--data <dir>` holding `images/`
 * and `masks/`) or on the Sunnybrook LV slices (`--sunnybrook [dir]`, default: the embedded subset),
 * with a seeded validation split whose Dice is printed per epoch. The engine checkpoint (`--out`) is
 * rewritten after every epoch; `--resume` continues a killed run.
 */
export function registerTrain(program: Command): void {
  const trainCmd = program.command('train').description('train a model');
  registerDetectorTrain(trainCmd);
  trainCmd
    .command('unet')
    .description('train a U-Net for binary segmentation on image/mask pairs or the Sunnybrook LV set')
    .option('--data <dir>', 'folder with images/ and masks/ (same file stems; mask grey > 0.5 is foreground)')
    .option('--sunnybrook [dir]', 'train on Sunnybrook LV slices (default: the embedded subset)')
    .option('-o, --out <file>', 'checkpoint file (rewritten after every epoch)', 'unet.ckpt')
    .option('--epochs <n>', 'epochs', '20')
    .option('--batch <n>', 'batch size', '8')
    .option('--crop <pixels>', 'square training crop (multiple of 2^depth)', '128')
    .option('--lr <rate>', 'Adam learning rate', '1e-3')
    .option('--loss <name>', 'bce | dice | bce+dice', 'bce+dice')
    .option('--depth <n>', 'U-Net depth (2x2 poolings)', '3')
    .option('--width <n>', 'channels of the first block', '16')
    .option('--batch-norm', 'batch normalisation in the conv blocks', false)
    .option('--val <fraction>', 'fraction held out for validation Dice: of the patients with --sunnybrook, of the images with --data', '0.2')
    .option('--seed <n>', 'seed of initialisation, split, shuffling and augmentation', '0')
    .option('--schedule <kind>', 'constant | cosine | step', 'cosine')
    .option('--warmup <steps>', 'linear warm-up steps', '0')
    .option('--resume', 'continue from the checkpoint in --out when it exists', false)
    .option('--no-progress', 'no progress bar')
    .option('--threads <n>', 'wasm threads (default $DETSEG_THREADS, else 2 on a machine with 2 or more cores)')
    .action(async (opts: TrainUNetOptions) => {
      const epochs = wholeAtLeast(opts.epochs, '--epochs', 1);
      const batchSize = wholeAtLeast(opts.batch, '--batch', 1);
      const depth = wholeAtLeast(opts.depth, '--depth', 0);
      const crop = wholeAtLeast(opts.crop, '--crop', 1);
      if (crop % (1 << depth) !== 0) throw new DetsegInputError(`must be a multiple of 2^depth = ${1 << depth}, got ${crop}`, { field: '--crop' });
      const learningRate = numberOption(opts.lr, '--lr', (n) => n > 0, 'a positive number');
      const valFraction = numberOption(opts.val, '--val', (n) => n >= 0 && n < 1, 'a fraction in [0, 1)');
      const seed = wholeAtLeast(opts.seed, '--seed', 0);
      if (!['bce', 'dice', 'bce+dice'].includes(opts.loss)) throw new DetsegInputError(`must be bce, dice or bce+dice, got '${opts.loss}'`, { field: '--loss' });
      if (!['constant', 'cosine', 'step'].includes(opts.schedule)) throw new DetsegInputError(`must be constant, cosine or step, got '${opts.schedule}'`, { field: '--schedule' });
      if ((opts.data === undefined) === (opts.sunnybrook === undefined)) throw new DetsegInputError('give exactly one of --data <dir> and --sunnybrook [dir]', { field: '--data' });

      await initEngine(opts.threads === undefined ? {} : { threads: wholeAtLeast(opts.threads, '--threads', 1) });
      const samples: SegSample[] = opts.data ? await loadSegFolder(resolve(opts.data)) : sunnybrookSamples(typeof opts.sunnybrook === 'string' ? resolve(opts.sunnybrook) : undefined);
      for (const s of samples) {
        if (s.height < crop || s.width < crop) throw new DetsegInputError(`image ${s.name} is ${s.width}×${s.height}, smaller than the crop ${crop}`, { field: '--crop' });
      }
      // Seeded split by patient (Sunnybrook: every slice of a held-out patient; a folder: by image)
      const { trainIndices, valIndices, valGroups } = holdOutGroups(samples, valFraction, epochRandom(seed, -1));
      const unet: UNetOptions = { depth, baseWidth: wholeAtLeast(opts.width, '--width', 1), batchNorm: opts.batchNorm, seed };
      const model = buildUNet(unet);
      const out = resolve(opts.out);
      const meta: UNetCheckpointMeta = { format: 'detseg-unet', unet, crop, data: opts.data ? resolve(opts.data) : 'sunnybrook' };
      process.stderr.write(`U-Net ${model.countParams().toLocaleString('en-US')} parameters; ${trainIndices.length} training and ${valIndices.length} validation images${valGroups.length ? ` (held-out patients ${valGroups.join(', ')})` : ''}\n`);
      const result = await train({
        model,
        loss: segmentationLoss(opts.loss as SegLossName),
        data: (_epoch, random) => segBatches(samples, trainIndices, { batchSize, crop, maxShift: crop / 8, flip: true }, random),
        epochs,
        stepsPerEpoch: Math.ceil(trainIndices.length / batchSize),
        optimizer: { kind: 'adam', learningRate },
        schedule: opts.schedule === 'step' ? { kind: 'step', everySteps: Math.max(1, Math.ceil((epochs * Math.ceil(trainIndices.length / batchSize)) / 3)), gamma: 0.1 } : { kind: opts.schedule as 'constant' | 'cosine' },
        warmupSteps: wholeAtLeast(opts.warmup, '--warmup', 0),
        seed,
        checkpoint: out,
        resume: opts.resume,
        progress: opts.progress && process.stderr.isTTY === true,
        meta: meta as unknown as Record<string, unknown>,
        log: (line) => process.stderr.write(`${line}\n`),
        onEpochEnd: (): Record<string, number> | undefined => {
          if (valIndices.length === 0) return undefined;
          const valSamples = valIndices.map((i) => samples[i]);
          const predicted = predictFullMasks(model, valSamples, 1 << depth);
          const dice = predicted.reduce((sum, p, k) => sum + binaryDice(p, valSamples[k].mask), 0) / predicted.length;
          return { valDice: dice };
        },
      });
      const last = result.history[result.history.length - 1];
      process.stdout.write(`trained ${result.epochsDone} epochs (${result.steps} steps): loss ${last?.loss.toFixed(4)}${last?.metrics.valDice !== undefined ? `, validation Dice ${last.metrics.valDice.toFixed(4)}` : ''} → ${out}\n`);
      model.dispose();
    });
}
