import type * as tf from '@tensorflow/tfjs';
import type { CheckpointData } from '../engine/checkpoint-format.js';
import { restoreModelWeights } from '../engine/state.js';
import { DetsegInputError } from '../util/errors.js';
import { buildDeepLab, DEEPLAB_OUTPUT_STRIDE, type DeepLabOptions } from './deeplab/deeplab.js';
import { buildFCN, type FCNOptions } from './fcn/fcn.js';
import { buildSegFormer, segformerMultiple, type SegFormerOptions } from './segformer/segformer.js';
import { buildUNet, type UNetOptions } from './unet/unet.js';

/**
 * The semantic-segmentation registry: every model family that maps an image `[B, H, W, Cin]` to
 * per-pixel logits `[B, H, W, K]`, registered once, so that training, validation, prediction and
 * checkpoints treat them alike (`segmentation-train.ts`). Adding a family is one entry here. No file
 * access, so a browser can rebuild a model from checkpoint bytes.
 */

/** Family-specific options (those of the family's builder, minus channels, seed and input size). */
export type SegmentationOptions = Record<string, unknown>;

/** A command-line shortcut for one builder option (`--depth 4` for `{"depth": 4}`). */
export interface SegmentationOptionFlag {
  /** Flag name without the dashes. */
  flag: string;
  /** Key of the builder option it sets. */
  option: string;
  /** A whole number ≥ `min`, or a switch. */
  type: 'whole' | 'boolean';
  min?: number;
  description: string;
}

/** One segmentation model family. */
export interface SegmentationFamily {
  /** Name on the command line and in checkpoints. */
  kind: string;
  /** One line for help texts. */
  description: string;
  /** Builds the model for `inChannels` → `numClasses` logits, any input size that is a multiple of {@link multiple}. */
  build(options: SegmentationOptions, inChannels: number, numClasses: number, seed: number): tf.LayersModel;
  /** The number input sides must be multiples of, for these options. */
  multiple(options: SegmentationOptions): number;
  /** Command-line shortcuts for common builder options (the rest go through `--model-options`). */
  flags?: readonly SegmentationOptionFlag[];
}

const unet: SegmentationFamily = {
  kind: 'unet',
  description: 'U-Net: encoder–decoder with skip connections, transposed-conv up-sampling',
  build: (o, inChannels, outChannels, seed) => buildUNet({ ...(o as UNetOptions), inChannels, outChannels, seed, inputSize: null }),
  multiple: (o) => 1 << ((o as UNetOptions).depth ?? 3),
  flags: [
    { flag: 'depth', option: 'depth', type: 'whole', min: 0, description: 'U-Net depth (2×2 poolings; crops must be multiples of 2^depth)' },
    { flag: 'width', option: 'baseWidth', type: 'whole', min: 1, description: 'channels of the first block' },
    { flag: 'batch-norm', option: 'batchNorm', type: 'boolean', description: 'batch normalisation in the conv blocks' },
  ],
};

const fcn: SegmentationFamily = {
  kind: 'fcn',
  description: 'FCN-16s/32s: fully convolutional scores, bilinear-initialised transposed-conv up-sampling',
  build: (o, inChannels, outChannels, seed) => buildFCN({ ...(o as FCNOptions), inChannels, outChannels, seed, inputSize: null }),
  multiple: (o) => 1 << ((o as FCNOptions).stages ?? 4),
};

const deeplab: SegmentationFamily = {
  kind: 'deeplab',
  description: 'DeepLabv3+: dilated backbone, atrous spatial pyramid pooling, low-level decoder',
  build: (o, inChannels, outChannels, seed) => buildDeepLab({ ...(o as DeepLabOptions), inChannels, outChannels, seed, inputSize: null }),
  multiple: () => DEEPLAB_OUTPUT_STRIDE,
};

const segformer: SegmentationFamily = {
  kind: 'segformer',
  description: 'SegFormer: hierarchical transformer with efficient self-attention, all-MLP decoder',
  build: (o, inChannels, outChannels, seed) => buildSegFormer({ ...(o as SegFormerOptions), inChannels, outChannels, seed, inputSize: null }),
  multiple: (o) => segformerMultiple(o as SegFormerOptions),
};

/** The registered families, in registry order. */
export const SEGMENTATION_FAMILIES: readonly SegmentationFamily[] = [unet, fcn, deeplab, segformer];

/** The registered kinds. */
export function segmentationKinds(): string[] {
  return SEGMENTATION_FAMILIES.map((f) => f.kind);
}

/** The family of `kind` (a {@link DetsegInputError} naming `field` otherwise). */
export function segmentationFamily(kind: string, field = 'model'): SegmentationFamily {
  const family = SEGMENTATION_FAMILIES.find((f) => f.kind === kind);
  if (!family) throw new DetsegInputError(`unknown segmentation model '${kind}' (expected ${segmentationKinds().join(', ')})`, { field });
  return family;
}

/** `meta` of a segmentation checkpoint. */
export interface SegmentationCheckpointMeta {
  format: 'detseg-segmentation';
  kind: string;
  options: SegmentationOptions;
  inChannels: number;
  /** Classes, background included (class 0). */
  numClasses: number;
  /** Class names, `numClasses` of them. */
  classNames: string[];
  seed: number;
}

/** A model rebuilt from a checkpoint. */
export interface LoadedSegmentationModel {
  family: SegmentationFamily;
  model: tf.LayersModel;
  meta: SegmentationCheckpointMeta;
}

/**
 * Rebuilds the model of a decoded segmentation checkpoint (meta.format 'detseg-segmentation') and gives
 * it the checkpoint's weights. Another format, an unknown kind, bad fields or missing weights raise a
 * {@link DetsegInputError} naming `file` and the field. The caller disposes the model.
 */
export function segmentationModelFromCheckpoint(ckpt: CheckpointData, file: string): LoadedSegmentationModel {
  const meta = (ckpt.meta ?? {}) as Partial<SegmentationCheckpointMeta>;
  if (meta.format !== 'detseg-segmentation') throw new DetsegInputError(`not a segmentation checkpoint (meta.format ${JSON.stringify(meta.format)}; expected "detseg-segmentation")`, { file, field: 'meta.format' });
  const family = segmentationFamily(String(meta.kind), `${file}: meta.kind`);
  if (typeof meta.options !== 'object' || meta.options === null || Array.isArray(meta.options)) throw new DetsegInputError(`must be an object of model options, got ${JSON.stringify(meta.options)}`, { file, field: 'meta.options' });
  for (const field of ['inChannels', 'numClasses'] as const) {
    const v = meta[field];
    if (!Number.isInteger(v) || (v as number) < 1) throw new DetsegInputError(`must be an integer ≥ 1, got ${JSON.stringify(v)}`, { file, field: `meta.${field}` });
  }
  const model = family.build(meta.options, meta.inChannels as number, meta.numClasses as number, meta.seed ?? 0);
  try {
    restoreModelWeights(model, ckpt.model, file);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { family, model, meta: meta as SegmentationCheckpointMeta };
}
