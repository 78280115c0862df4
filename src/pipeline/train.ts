import cliProgress from 'cli-progress';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint, type CheckpointData } from '../engine/checkpoint.js';
import { makeOptimizer, setLearningRate } from '../engine/optimizer.js';
import { learningRateAt } from '../engine/schedule.js';
import { captureModelWeights, captureOptimizerState, restoreOptimizerState } from '../engine/state.js';
import { batchCount, loaderBatches } from '../data/loader.js';
import { restoreDetectorWeights } from '../models/detection/checkpoint-data.js';
import type { Detector, DetectorFamily } from '../models/detection/detector.js';
import { imagesToTensor } from '../models/detection/images-tensor.js';
import { selectiveSearchProposals } from '../models/detection/selective-search-proposals.js';
import type { LossValues } from '../models/detection/types.js';
import { writeFileAtomic } from '../util/atomic.js';
import { DetsegInputError } from '../util/errors.js';
import type { DetectionData } from './dataset.js';
import { anchorSizesFromData } from './anchors.js';
import { createRunDir } from './run-dir.js';
import { DEFAULT_AUGMENT, FLIP_AUGMENT, preparedSource } from './samples.js';
import { validate, type ValResult } from './val.js';
import { initialiseFrom } from './weights.js';

/**
 * Training a registered detector on any {@link DetectionData}, into a run folder: `args.json`,
 * `weights/last.ckpt` after every epoch (weights, Adam's state, epoch, step, history, and the lineage:
 * the runs behind `--weights` of the same family), `weights/best.ckpt` (best validation mAP),
 * `results.csv` (per epoch: each loss, mAP, mAP50, lr, seconds). Batches are prepared ahead
 * (`prefetch`), augmented with seeds of (run seed, epoch, image) and the detector's samplers are
 * re-seeded each step, so `resume` continues a killed run to the same weights as an uninterrupted one.
 */

/** Everything a run needs; `args.json` stores the serialisable part. */
export interface TrainRunOptions {
  family: DetectorFamily;
  /** Model options over the family's defaults (`numClasses` is set from the data). */
  modelOptions?: Record<string, unknown>;
  data: DetectionData;
  val?: DetectionData;
  /** The run folder (created unless resuming). */
  dir: string;
  epochs: number;
  /** Optimisation steps per epoch (default: one pass over the data). */
  stepsPerEpoch?: number;
  batch: number;
  imgsz: number;
  lr: number;
  /** Linear warm-up steps (default min(100, total / 10)). */
  warmupSteps?: number;
  /** Checkpoint initialising the model (a file path). */
  weights?: string;
  /** Continue from `dir/weights/last.ckpt`. */
  resume?: boolean;
  /** Augment the training images (default true). */
  augment?: boolean;
  seed?: number;
  /** Validation images evaluated after each epoch at most (default all). */
  valImages?: number;
  /** Arguments to store in `args.json` and in the checkpoints. */
  args: Record<string, unknown>;
  progress?: boolean;
  log?: (line: string) => void;
}

/** One row of `results.csv`. */
export interface EpochRow {
  epoch: number;
  losses: LossValues;
  mAP: number;
  mAP50: number;
  maskAP?: number;
  maskAP50?: number;
  lr: number;
  seconds: number;
  imagesPerSecond: number;
}

/** A finished run a checkpoint's weights come from: its arguments and its epochs. */
export interface RunRecord {
  args: Record<string, unknown> | undefined;
  history: EpochRow[];
}

/**
 * The runs behind a checkpoint's weights, oldest first: its own `lineage` and the run that wrote it,
 * when it is a checkpoint of `kind` with a training history (none for another family's weights).
 */
export function runLineage(meta: Record<string, unknown> | undefined, kind: string): RunRecord[] {
  if (meta?.kind !== kind || !Array.isArray(meta.history)) return [];
  const before = Array.isArray(meta.lineage) ? (meta.lineage as RunRecord[]) : [];
  return [...before, { args: meta.args as Record<string, unknown> | undefined, history: meta.history as EpochRow[] }];
}

/** What {@link trainRun} did. */
export interface TrainRunResult {
  dir: string;
  history: EpochRow[];
  best: number;
  resumed: boolean;
  model: Detector;
  lastVal?: ValResult;
}

/** `results.csv` of the history: one line per epoch; the loss columns are `loss` and the family's `lossNames`, in order. */
export function resultsCsv(history: EpochRow[], lossNames: readonly string[]): string {
  const losses = ['loss', ...lossNames];
  const masks = history.some((h) => h.maskAP !== undefined);
  const head = ['epoch', ...losses, 'mAP50', 'mAP', ...(masks ? ['maskAP50', 'maskAP'] : []), 'lr', 'seconds', 'images_per_s'];
  const rows = history.map((h) => [h.epoch, ...losses.map((k) => h.losses[k]?.toFixed(5) ?? ''), h.mAP50.toFixed(5), h.mAP.toFixed(5), ...(masks ? [h.maskAP50?.toFixed(5) ?? '', h.maskAP?.toFixed(5) ?? ''] : []), h.lr.toExponential(4), h.seconds.toFixed(1), h.imagesPerSecond.toFixed(2)].join(','));
  return `${head.join(',')}\n${rows.join('\n')}\n`;
}

/**
 * The model options of a run: the family's defaults, the run seed, the user's, the data's class count,
 * and for data from files the RPN's anchor sizes from its box statistics ({@link anchorSizesFromData}).
 */
export function runModelOptions(family: DetectorFamily, data: DetectionData, user: Record<string, unknown> = {}, seed = 0, imgsz = 128): Record<string, unknown> {
  const options: Record<string, unknown> = { ...family.defaultOptions, seed, ...user, numClasses: data.classes.length, imageSize: imgsz };
  // Files: anchors from the data's box sizes unless given (the synthetic shapes keep the defaults they were tuned for).
  const rpn = options.rpn as Record<string, unknown> | undefined;
  const userRpn = user.rpn as Record<string, unknown> | undefined;
  if (rpn !== undefined && data.format !== 'synthetic' && userRpn?.anchorSizes === undefined) options.rpn = { ...rpn, anchorSizes: anchorSizesFromData(data, imgsz) };
  return options;
}

/** Trains per the options (see the file comment). The caller disposes `result.model`. */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const { family, data, dir, epochs, batch, imgsz } = options;
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 0;
  const modelOptions = runModelOptions(family, data, options.modelOptions, seed, imgsz);
  const model = family.build(modelOptions);
  if (imgsz % model.stride !== 0) {
    model.dispose();
    throw new DetsegInputError(`must be a multiple of the detector's stride ${model.stride}, got ${imgsz}`, { field: '--imgsz' });
  }
  const lastPath = join(dir, 'weights', 'last.ckpt');
  const bestPath = join(dir, 'weights', 'best.ckpt');
  const stepsPerEpoch = options.stepsPerEpoch ?? batchCount(data.dataset.images.length, batch);
  const totalSteps = epochs * stepsPerEpoch;
  const warmupSteps = options.warmupSteps ?? Math.min(100, Math.ceil(totalSteps / 10));
  const optimizerConfig = { kind: 'adam' as const, learningRate: options.lr };
  const schedule = { kind: 'cosine' as const, minLr: options.lr / 50 };
  const optimizer = makeOptimizer(optimizerConfig);
  // the runs the initial weights come from (--weights of this family), kept in every checkpoint of this run
  let lineage: RunRecord[] = [];
  const meta = (extra: Record<string, unknown>) => ({ format: family.format, kind: family.kind, options: modelOptions, classes: data.classes, imgsz, input: { normalise: '(v - 127.5) / 127.5', letterbox: { fill: 114, centred: true } }, args: options.args, ...(lineage.length > 0 ? { lineage } : {}), ...extra });

  let history: EpochRow[] = [];
  let startEpoch = 0;
  let step = 0;
  let best = -1;
  let resumed = false;
  try {
    if (options.resume) {
      if (!existsSync(lastPath)) throw new DetsegInputError('has no weights/last.ckpt to resume from', { file: dir, field: '--resume' });
      const ckpt = loadCheckpoint(lastPath);
      restoreDetectorWeights(model.models(), ckpt, lastPath);
      await restoreOptimizerState(optimizer, ckpt.optimizer, lastPath);
      startEpoch = ckpt.epoch;
      step = ckpt.step;
      history = (ckpt.meta?.history as EpochRow[] | undefined) ?? [];
      lineage = Array.isArray(ckpt.meta?.lineage) ? (ckpt.meta.lineage as RunRecord[]) : [];
      best = typeof ckpt.meta?.best === 'number' ? ckpt.meta.best : -1;
      resumed = true;
      log(`resumed ${dir} at epoch ${startEpoch + 1}/${epochs} (step ${step})`);
    } else {
      createRunDir(dir);
      writeFileAtomic(join(dir, 'args.json'), `${JSON.stringify(options.args, null, 2)}\n`);
      if (options.weights) {
        const init = loadCheckpoint(options.weights);
        log(`initialised ${initialiseFrom(model, init, options.weights).join(', ')} from ${options.weights}`);
        lineage = runLineage(init.meta, family.kind);
      }
    }
    const params = model.models().reduce((s, m) => s + m.countParams(), 0);
    log(`${family.kind}: ${params.toLocaleString('en-US')} parameters, ${data.classes.length} classes; ${data.dataset.images.length} training images${options.val ? `, ${options.val.dataset.images.length} validation images` : ''}; ${epochs} epochs × ${stepsPerEpoch} steps of ${batch}; imgsz ${imgsz}; run ${dir}`);
    const source = preparedSource(data, { imgsz, masks: family.masks, augment: options.augment === false ? undefined : family.singleObject ? FLIP_AUGMENT : DEFAULT_AUGMENT, seed });
    const bar = options.progress
      ? new cliProgress.SingleBar({ format: 'epoch {epoch} [{bar}] {value}/{total} | {losses} | {speed} img/s | ETA {eta_formatted}', stream: process.stderr, etaBuffer: 20, hideCursor: true }, cliProgress.Presets.shades_classic)
      : undefined;
    let lastVal: ValResult | undefined;
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const sums: LossValues = {};
      let count = 0, images = 0, lr = options.lr;
      const t0 = performance.now();
      bar?.start(stepsPerEpoch, 0, { epoch: `${epoch + 1}/${epochs}`, losses: '-', speed: '-' });
      // an epoch of `stepsPerEpoch` batches; passes over the data continue with the next seeded order
      let pass = 0;
      while (count < stepsPerEpoch) {
        for await (const samples of loaderBatches(source, epoch * 1000 + pass, { batchSize: batch, seed, prefetch: 2 })) {
          if (count >= stepsPerEpoch) break;
          lr = learningRateAt(step, { base: options.lr, schedule, totalSteps, warmupSteps });
          setLearningRate(optimizer, lr);
          model.reseed(step);
          const x = imagesToTensor(samples.map((s) => s.image), imgsz, imgsz); // [B, S, S, 3]
          const proposals = family.needsProposals ? samples.map((s) => selectiveSearchProposals(s.image, imgsz, imgsz)) : undefined;
          let losses: LossValues;
          try {
            losses = model.trainStep(optimizer, x, samples.map((s) => s.target), proposals);
          } finally {
            x.dispose();
          }
          step++;
          if (!Number.isFinite(losses.loss)) throw new DetsegInputError(`training diverged: loss ${losses.loss} at epoch ${epoch + 1}, step ${step} (${Object.entries(losses).map(([k, v]) => `${k} ${v}`).join(', ')}); weights/last.ckpt holds the last finished epoch`, { file: dir, field: 'loss' });
          for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v;
          count++;
          images += samples.length;
          bar?.update(count, { losses: Object.entries(sums).map(([k, v]) => `${k.replace('loss_', '')} ${(v / count).toFixed(3)}`).join(' '), speed: (images / ((performance.now() - t0) / 1000)).toFixed(1) });
        }
        pass++;
      }
      bar?.stop();
      const seconds = (performance.now() - t0) / 1000;
      const row: EpochRow = { epoch: epoch + 1, losses: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count])), mAP: -1, mAP50: -1, lr, seconds, imagesPerSecond: images / seconds };
      if (options.val) {
        const val = options.valImages !== undefined && options.valImages < options.val.dataset.images.length ? { ...options.val, dataset: { ...options.val.dataset, images: options.val.dataset.images.slice(0, options.valImages) } } : options.val;
        lastVal = await validate(model, family, val, { imgsz, batch: 4 });
        row.mAP = lastVal.bbox.stats[0];
        row.mAP50 = lastVal.bbox.stats[1];
        if (lastVal.segm) {
          row.maskAP = lastVal.segm.stats[0];
          row.maskAP50 = lastVal.segm.stats[1];
        }
      }
      history.push(row);
      log(`epoch ${epoch + 1}/${epochs}: ${Object.entries(row.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}; ${row.imagesPerSecond.toFixed(2)} img/s${options.val ? `; val mAP ${row.mAP.toFixed(4)}, mAP50 ${row.mAP50.toFixed(4)}${row.maskAP !== undefined ? `, mask AP ${row.maskAP.toFixed(4)}, mask AP50 ${row.maskAP50!.toFixed(4)}` : ''}` : ''}`);
      const fitness = options.val ? row.mAP : epoch;
      const isBest = fitness > best;
      if (isBest) best = fitness;
      const weights = model.models().flatMap((m) => captureModelWeights(m));
      const last: CheckpointData = { epoch: epoch + 1, step, rng: { seed, state: epoch + 1 }, model: weights, optimizer: await captureOptimizerState(optimizer), optimizerName: 'adam', meta: meta({ history, best, metrics: { mAP: row.mAP, mAP50: row.mAP50, maskAP: row.maskAP, maskAP50: row.maskAP50 } }) };
      saveCheckpoint(lastPath, last);
      if (isBest) saveCheckpoint(bestPath, { ...last, optimizer: [], optimizerName: 'none', meta: meta({ history, best, metrics: { mAP: row.mAP, mAP50: row.mAP50, maskAP: row.maskAP, maskAP50: row.maskAP50 }, epoch: epoch + 1 }) });
      writeFileAtomic(join(dir, 'results.csv'), resultsCsv(history, family.lossNames));
    }
    return { dir, history, best, resumed, model, lastVal };
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    optimizer.dispose();
  }
}

/** Reads a run's `args.json` (for `--resume`). */
export function readRunArgs(dir: string): Record<string, unknown> {
  const file = join(dir, 'args.json');
  if (!existsSync(file)) throw new DetsegInputError('is not a run folder (no args.json)', { file: dir, field: '--resume' });
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new DetsegInputError('is not valid JSON', { file, field: '--resume' });
  }
}

/** Removes a run folder created by a run that failed before its first epoch ended (nothing of value in it). */
export function removeEmptyRun(dir: string): void {
  if (existsSync(dir) && !existsSync(join(dir, 'weights', 'last.ckpt'))) rmSync(dir, { recursive: true, force: true });
}
