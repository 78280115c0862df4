import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint } from '../engine/checkpoint.js';
import { DetsegInputError } from '../util/errors.js';
import { segmentationFamily, segmentationModelFromCheckpoint, type LoadedSegmentationModel, type SegmentationCheckpointMeta } from './segmentation-registry.js';
import { loadUNetCheckpoint } from './unet/checkpoint-meta.js';

/**
 * Reading a segmentation checkpoint file for a given kind: the registry's format
 * (`detseg-segmentation`), and for `unet` also the binary U-Net formats that came before it
 * (`detseg-unet`, and `detseg-unet-lv` of the shipped left-ventricle checkpoints), which load as
 * 2-class models so that every checkpoint is validated and predicted the same way.
 */

/** A loaded checkpoint: the model, its meta, and the training crop recorded in it (when there is one). */
export interface SegmentationCheckpoint extends LoadedSegmentationModel {
  /** Input sides must be multiples of this. */
  multiple: number;
  /** Square training crop of the checkpoint (`meta.crop`, or the LV practical's `lvConfig.crop`). */
  crop?: number;
  /** `meta.format` of the file. */
  format: string;
}

/**
 * Turns a binary U-Net (one logit z per pixel, sigmoid) into 2-class logits `[0, z]`: softmax([0, z])
 * gives σ(z) to class 1, and the arg-max is class 1 exactly when z > 0, the binary model's threshold
 * (a tie at z = 0 goes to class 0 in both). A fixed 1×1 convolution does it, so the result is a plain
 * LayersModel sharing the U-Net's layers.
 */
function binaryAsTwoClass(model: tf.LayersModel): tf.LayersModel {
  const head = tf.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, trainable: false, name: 'binary_as_two_class' });
  const output = head.apply(model.outputs[0]) as tf.SymbolicTensor;
  const kernel = tf.tensor4d([0, 1], [1, 1, 1, 2]);
  head.setWeights([kernel]);
  kernel.dispose();
  return tf.model({ inputs: model.inputs, outputs: output });
}

/**
 * Loads `path` as a checkpoint of the segmentation model `kind` (`field`: the option that named the
 * file, for messages). A checkpoint of another kind, another format, or bad fields raise a
 * {@link DetsegInputError} naming the file and field. The caller disposes `model`.
 */
export function loadSegmentationCheckpoint(path: string, kind: string, field = '--checkpoint'): SegmentationCheckpoint {
  const family = segmentationFamily(kind, field);
  const ckpt = loadCheckpoint(path);
  const meta = ckpt.meta ?? {};
  const crop = typeof meta.crop === 'number' ? meta.crop : undefined;
  if (kind === 'unet' && (meta.format === 'detseg-unet' || meta.format === 'detseg-unet-lv')) {
    const { model: binary, depth } = loadUNetCheckpoint(path);
    const lv = meta.format === 'detseg-unet-lv';
    const lvConfig = (meta.lvConfig ?? {}) as { crop?: number; baseWidth?: number; depth?: number; seed?: number };
    const unetOptions = lv ? { baseWidth: lvConfig.baseWidth, depth: lvConfig.depth } : ((meta.unet ?? {}) as Record<string, unknown>);
    const converted: SegmentationCheckpointMeta = {
      format: 'detseg-segmentation',
      kind: 'unet',
      options: unetOptions,
      inChannels: 1,
      numClasses: 2,
      classNames: ['background', lv ? 'left ventricle' : 'foreground'],
      seed: 0,
    };
    return { family, model: binaryAsTwoClass(binary), meta: converted, multiple: 1 << depth, crop: lv ? lvConfig.crop : crop, format: meta.format };
  }
  if (meta.format === 'detseg-segmentation' && meta.kind !== kind) {
    throw new DetsegInputError(`is a ${JSON.stringify(meta.kind)} checkpoint, not ${kind}`, { file: path, field: 'meta.kind' });
  }
  const loaded = segmentationModelFromCheckpoint(ckpt, path);
  return { ...loaded, multiple: family.multiple(loaded.meta.options), crop, format: 'detseg-segmentation' };
}
