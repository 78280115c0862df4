import type * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { loadCheckpoint } from '../engine/checkpoint.js';
import type { CheckpointData } from '../engine/checkpoint-format.js';
import { restoreModelWeights } from '../engine/state.js';
import { buildFCN, type FCNOptions } from '../models/fcn/fcn.js';
import { loadSegmentationCheckpoint } from '../models/segmentation-checkpoint.js';
import { loadUNetCheckpoint } from '../models/unet/checkpoint-meta.js';
import type { Detector, DetectorFamily } from '../models/detection/detector.js';
import { OnnxDetector } from '../onnx/detector.js';
import { exportDetector, exportSegmenter, modelBytes, type SegmenterInfo } from '../onnx/export.js';
import { assetsDir } from '../util/paths.js';
import type { OrtBinding } from '../onnx/runtime.js';
import { DetsegInputError } from '../util/errors.js';
import { checkpointClasses, checkpointImageSize, loadDetector, resolveWeights } from './weights.js';

/**
 * The detectors on ONNX Runtime in Node (onnxruntime-node, CPU): `--runtime onnx` of predict, val and
 * the detector benchmark. A `.onnx` file given as weights is run as it is; a checkpoint is exported in
 * memory first (the graph `detseg export` writes).
 */

/** Which engine runs the network: TF.js (wasm) or ONNX Runtime. */
export type Runtime = 'tfjs' | 'onnx';

/** Checks a `--runtime` value. */
export function runtimeOption(value: string | undefined, field = '--runtime'): Runtime {
  const v = value ?? 'tfjs';
  if (v !== 'tfjs' && v !== 'onnx') throw new DetsegInputError(`must be tfjs or onnx, got '${v}'`, { field });
  return v;
}

/** Intra-op threads of the sessions: `$DETSEG_THREADS`, else 2 on a machine with 2 or more cores, else 1. */
export function ortThreads(): number {
  const env = Number(process.env.DETSEG_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : Math.min(2, availableParallelism());
}

/**
 * Session options of {@link nodeOrtBinding}. The intra-op threads do not spin-wait for work after a
 * run (`session.intra_op.allow_spinning = 0`): between two runs the TypeScript post-processing (RoI
 * pooling, NMS, pasting) has the main thread, and a spinning pool thread would take the other core
 * from whatever else runs. On 2 shared cores, spinning made Faster / Mask R-CNN on ONNX Runtime up to
 * several times slower per image (docs/benchmarks.md, "ONNX Runtime against TF.js").
 */
export function ortSessionOptions(threads = ortThreads()): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/** The onnxruntime-node binding (CPU, sequential execution, `threads` intra-op threads, no spin-waiting). */
export function nodeOrtBinding(threads = ortThreads()): OrtBinding {
  const options = ortSessionOptions(threads);
  return {
    createSession: (bytes) => ort.InferenceSession.create(bytes, options),
    tensor: (data, dims) => new ort.Tensor('float32', data, dims),
  };
}

/** Whether `--weights` names an ONNX file. */
export function isOnnxFile(weights: string | undefined): boolean {
  return weights !== undefined && weights.toLowerCase().endsWith('.onnx');
}

/**
 * The ONNX model bytes of a detector checkpoint of `kind` (default: its shipped one), as `detseg export`
 * writes them, at letterbox side `imgsz` (default: the checkpoint's).
 */
export function detectorOnnxBytes(kind: string, weights?: string, options: { imgsz?: number; opset?: number } = {}): { bytes: Uint8Array; imgsz: number; path: string } {
  const path = resolveWeights(kind, weights);
  const detector = loadDetector(kind, path);
  try {
    const imgsz = options.imgsz ?? checkpointImageSize(detector.meta);
    const model = exportDetector(detector.family, detector.model, detector.meta, checkpointClasses(detector.meta), { imgsz, opset: options.opset, producerVersion: '0.1.0' });
    return { bytes: modelBytes(model), imgsz, path };
  } finally {
    detector.dispose();
  }
}

/**
 * A detector of `kind` on ONNX Runtime: `weights` an exported `.onnx` file (its kind must be `kind`), or
 * a checkpoint (name or file; default the shipped one) exported in memory at `imgsz`.
 */
export async function openOnnxDetector(kind: string, weights?: string, options: { imgsz?: number; field?: string } = {}): Promise<OnnxDetector> {
  const field = options.field ?? '--weights';
  if (isOnnxFile(weights)) {
    const path = resolve(weights!);
    if (!existsSync(path)) throw new DetsegInputError('does not exist', { file: path, field });
    const detector = await OnnxDetector.open(readFileSync(path), nodeOrtBinding(), path);
    if (detector.kind !== kind) {
      await detector.dispose();
      throw new DetsegInputError(`is a ${detector.kind} model, not ${kind}`, { file: path, field });
    }
    if (options.imgsz !== undefined && options.imgsz !== detector.imgsz) {
      await detector.dispose();
      throw new DetsegInputError(`the ONNX model takes ${detector.imgsz}² images, got ${options.imgsz} (export it again with --imgsz)`, { file: path, field: '--imgsz' });
    }
    return detector;
  }
  const { bytes, path } = detectorOnnxBytes(kind, weights, { imgsz: options.imgsz });
  return OnnxDetector.open(bytes, nodeOrtBinding(), path);
}

/** Segmenters `detseg export` knows beside the detectors. */
export const SEGMENTER_KINDS = ['unet', 'fcn'] as const;

/**
 * The U-Net checkpoint `--weights` names: a file, or a shipped name (`unet-lv-fold0` … `unet-lv-fold4`,
 * default `unet-lv-fold0`).
 */
export function resolveUNetWeights(weights = 'unet-lv-fold0', field = '--weights'): string {
  const path = resolve(weights);
  if (existsSync(path)) return path;
  const shipped = assetsDir('checkpoints', weights.endsWith('.ckpt') ? weights : `${weights}.ckpt`);
  if (/^unet-lv-fold\d\.ckpt$/.test(basename(shipped)) && existsSync(shipped)) return shipped;
  throw new DetsegInputError('is neither a file nor a shipped U-Net checkpoint (unet-lv-fold0 … unet-lv-fold4)', { file: path, field });
}

/**
 * A checkpoint of `detseg train unet|fcn` (meta.format 'detseg-segmentation': K-class logits) as the
 * model and its export metadata; `undefined` for a file of another format.
 */
function registrySegmenter(kind: 'unet' | 'fcn', path: string): { model: tf.LayersModel; info: SegmenterInfo } | undefined {
  if (loadCheckpoint(path).meta?.format !== 'detseg-segmentation') return undefined;
  const { model, meta, multiple } = loadSegmentationCheckpoint(path, kind, '--weights');
  const input = meta.inChannels === 1 ? 'grey levels (R + G + B) / (3·255)' : 'RGB / 255';
  return {
    model,
    info: {
      kind,
      inChannels: meta.inChannels,
      multiple,
      normalization: `${input}, zero-padded at the bottom and right to a multiple of ${multiple}; logits of ${meta.numClasses} classes, the class of a pixel is their arg-max`,
      extra: { 'detseg.checkpoint_format': meta.format, 'detseg.options': JSON.stringify(meta.options), 'detseg.classes': JSON.stringify(meta.classNames) },
    },
  };
}

/**
 * The ONNX model bytes of a U-Net checkpoint (`weights`, see {@link resolveUNetWeights}) or of an FCN
 * (`weights` a checkpoint whose `meta.format` is 'detseg-fcn' with `meta.fcn` options, else the FCN of
 * `modelOptions` with its initial weights: the bilinear-initialised up-sampling), or, for both, a
 * checkpoint of `detseg train unet|fcn` (meta.format 'detseg-segmentation': K-class logits); H and W
 * fixed to `imgsz` when given.
 */
export function segmenterOnnxBytes(kind: 'unet' | 'fcn', weights: string | undefined, options: { imgsz?: number; opset?: number; modelOptions?: Record<string, unknown> } = {}): { bytes: Uint8Array; path?: string } {
  let model: tf.LayersModel;
  let info: SegmenterInfo;
  let path: string | undefined;
  const given = weights === undefined ? undefined : kind === 'unet' ? resolveUNetWeights(weights) : resolve(weights);
  const registry = given !== undefined && existsSync(given) ? registrySegmenter(kind, given) : undefined;
  if (registry) {
    path = given;
    ({ model, info } = registry);
  } else if (kind === 'unet') {
    path = resolveUNetWeights(weights);
    const loaded = loadUNetCheckpoint(path);
    model = loaded.model;
    info = {
      kind,
      inChannels: model.inputs[0].shape[3] as number,
      multiple: 1 << loaded.depth,
      normalization: 'grey levels in [0, 1] (a DICOM slice: its 1%–99% percentile window; an image file: (R + G + B) / (3·255)), zero-padded at the bottom and right to a multiple of 2^depth',
      extra: { 'detseg.checkpoint_format': String(loaded.meta.format), 'detseg.depth': String(loaded.depth) },
    };
  } else {
    let fcn: FCNOptions = { ...(options.modelOptions as FCNOptions | undefined) };
    let ckpt: CheckpointData | undefined;
    if (weights !== undefined) {
      path = resolve(weights);
      if (!existsSync(path)) throw new DetsegInputError('does not exist', { file: path, field: '--weights' });
      ckpt = loadCheckpoint(path);
      if (ckpt.meta?.format !== 'detseg-fcn') throw new DetsegInputError(`not an FCN checkpoint (meta.format ${JSON.stringify(ckpt.meta?.format)}; expected "detseg-fcn")`, { file: path, field: 'meta.format' });
      fcn = { ...(ckpt.meta.fcn as FCNOptions | undefined), ...fcn };
    }
    model = buildFCN({ ...fcn, inputSize: null });
    if (ckpt) restoreModelWeights(model, ckpt.model, path!);
    info = {
      kind,
      inChannels: model.inputs[0].shape[3] as number,
      multiple: 1 << (fcn.stages ?? 4),
      normalization: 'the values the FCN was trained on, NHWC',
      extra: { 'detseg.options': JSON.stringify(fcn) },
    };
  }
  try {
    return { bytes: modelBytes(exportSegmenter(model, info, { imgsz: options.imgsz, opset: options.opset, producerVersion: '0.1.0' })), path };
  } finally {
    model.dispose();
  }
}

/** A detector on either runtime, with what the commands need of it. */
export interface RuntimeDetector {
  runtime: Runtime;
  family: DetectorFamily;
  /** The TF.js detector, or the detector on ONNX Runtime. */
  model: Detector | OnnxDetector;
  /** Class names: label c is `classes[c − 1]`. */
  classes: string[];
  /** Image sides must be multiples of this. */
  stride: number;
  /** The checkpoint's letterbox side (TF.js), or the one the ONNX graph takes. */
  imgsz: number;
  /** Whether `imgsz` is the only side the model takes (an ONNX graph). */
  fixedSize: boolean;
  dispose(): Promise<void>;
}

/**
 * The detector of `kind` on `runtime`: TF.js from a checkpoint (name or file), or ONNX Runtime from an
 * exported `.onnx` file or a checkpoint exported in memory at `imgsz` (default: the checkpoint's).
 * An `.onnx` file on the TF.js runtime raises a {@link DetsegInputError} naming `field`.
 */
export async function openRuntimeDetector(kind: string, runtime: Runtime, weights: string | undefined, options: { imgsz?: number; field?: string } = {}): Promise<RuntimeDetector> {
  const field = options.field ?? '--weights';
  if (runtime === 'tfjs') {
    if (isOnnxFile(weights)) throw new DetsegInputError('is an ONNX model: run it with --runtime onnx', { file: resolve(weights!), field });
    const d = loadDetector(kind, resolveWeights(kind, weights, field));
    return { runtime, family: d.family, model: d.model, classes: d.classes, stride: d.stride, imgsz: checkpointImageSize(d.meta), fixedSize: false, dispose: async () => d.dispose() };
  }
  const d = await openOnnxDetector(kind, weights, { imgsz: options.imgsz, field });
  return { runtime, family: d.family, model: d, classes: d.classes, stride: d.stride, imgsz: d.imgsz, fixedSize: true, dispose: () => d.dispose() };
}
